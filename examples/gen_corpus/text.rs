//! Deterministic filler text: a small random generator and the prose, lists, tables and code
//! blocks that make a generated article look like a real one to a Markdown parser.

use std::ops::RangeInclusive;

/// SplitMix64: tiny, fast and the same on every platform, so a seed always gives the same corpus.
pub struct Rng(u64);

impl Rng {
    /// A generator for one item (an article, a category), independent of every other item.
    pub fn for_item(seed: u64, kind: u64, index: u64) -> Rng {
        let mut rng = Rng(seed
            ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    /// A number in `range`.
    pub fn within(&mut self, range: RangeInclusive<usize>) -> usize {
        self.range(*range.start(), *range.end())
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.next() % one_in == 0
    }
}

const WORDS: &[&str] = &[
    "the",
    "request",
    "server",
    "client",
    "connection",
    "timeout",
    "cache",
    "token",
    "session",
    "disk",
    "volume",
    "replica",
    "queue",
    "worker",
    "process",
    "service",
    "configuration",
    "file",
    "path",
    "permission",
    "account",
    "user",
    "quota",
    "limit",
    "retry",
    "network",
    "proxy",
    "gateway",
    "host",
    "certificate",
    "key",
    "signature",
    "header",
    "payload",
    "response",
    "record",
    "index",
    "table",
    "schema",
    "migration",
    "version",
    "driver",
    "module",
    "plugin",
    "agent",
    "daemon",
    "socket",
    "port",
    "address",
    "route",
    "policy",
    "role",
    "scope",
    "lease",
    "lock",
    "transaction",
    "snapshot",
    "backup",
    "checksum",
    "buffer",
    "memory",
    "thread",
    "handle",
    "channel",
    "stream",
    "batch",
    "job",
    "schedule",
    "when",
    "after",
    "before",
    "because",
    "while",
    "unless",
    "usually",
    "often",
    "sometimes",
    "again",
    "fails",
    "expires",
    "rejects",
    "returns",
    "drops",
    "blocks",
    "reaches",
    "exceeds",
    "restarts",
    "stops",
    "waits",
    "writes",
    "reads",
    "opens",
    "closes",
    "checks",
    "validates",
    "loads",
    "sends",
    "a",
    "an",
    "its",
    "this",
    "that",
    "every",
    "no",
    "each",
    "another",
    "your",
    "their",
    "our",
    "is",
    "was",
    "has",
    "can",
    "may",
    "must",
    "will",
    "does",
    "not",
    "only",
    "still",
    "already",
    "in",
    "on",
    "at",
    "from",
    "to",
    "with",
    "without",
    "for",
    "of",
    "by",
    "into",
    "over",
    "under",
    "stale",
    "missing",
    "invalid",
    "expired",
    "corrupt",
    "busy",
    "full",
    "slow",
    "remote",
    "local",
    "primary",
    "secondary",
    "temporary",
    "default",
    "custom",
    "legacy",
    "new",
    "old",
    "shared",
];

const VERBS: &[&str] = &[
    "Check",
    "Restart",
    "Renew",
    "Increase",
    "Clear",
    "Verify",
    "Update",
    "Reload",
    "Inspect",
    "Rotate",
    "Reconnect",
    "Remove",
    "Compare",
    "Enable",
    "Disable",
    "Raise",
    "Lower",
    "Rebuild",
    "Re-run",
    "Confirm",
];

const COMMANDS: &[&str] = &[
    "status --verbose",
    "logs --since 1h",
    "config show",
    "restart --graceful",
    "cache clear",
    "check --all",
    "token renew",
    "quota show",
    "replica list",
    "disk usage --human",
];

pub const TAGS: &[&str] = &[
    "timeout",
    "authentication",
    "permissions",
    "disk",
    "network",
    "configuration",
    "quota",
    "tls",
    "database",
    "cache",
    "dns",
    "proxy",
    "upgrade",
    "memory",
    "cpu",
    "replication",
    "backup",
    "api",
    "cli",
    "installer",
    "license",
    "logging",
    "scheduler",
    "queue",
    "storage",
    "encryption",
    "firewall",
    "session",
    "rate-limit",
    "migration",
    "plugin",
    "driver",
    "kernel",
    "container",
    "cluster",
    "certificate",
    "sync",
    "import",
    "export",
    "billing",
];

/// A sentence of `words` words, capitalised and ending in a full stop.
pub fn sentence(rng: &mut Rng, words: RangeInclusive<usize>) -> String {
    let words = rng.within(words);
    let mut text = String::with_capacity(words * 8);
    for i in 0..words {
        let word = *rng.pick(WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push(' ');
            text.push_str(word);
        }
    }
    text.push('.');
    text
}

/// A paragraph of about `words` words.
pub fn paragraph(rng: &mut Rng, words: RangeInclusive<usize>) -> String {
    let words = rng.within(words);
    let mut sentences = Vec::new();
    let mut left = words;
    while left > 0 {
        let n = rng.range(6, 16).min(left).max(3);
        sentences.push(sentence(rng, n..=n));
        left = left.saturating_sub(n);
    }
    sentences.join(" ")
}

/// Title Case words for titles and headings.
pub fn title(rng: &mut Rng, words: RangeInclusive<usize>) -> String {
    (0..rng.within(words))
        .map(|_| {
            let word = *rng.pick(&WORDS[..69]);
            let mut chars = word.chars();
            chars
                .next()
                .map_or(String::new(), |f| f.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A numbered list of `items` steps; returns the Markdown and its word count.
pub fn numbered_list(rng: &mut Rng, items: RangeInclusive<usize>) -> (String, usize) {
    let items = rng.within(items);
    let mut text = String::new();
    let mut words = 0;
    for i in 1..=items {
        let n = rng.range(8, 18);
        words += n + 1;
        text.push_str(&format!(
            "{i}. {} {}\n",
            rng.pick(VERBS),
            lower_first(&sentence(rng, n..=n))
        ));
    }
    (text, words)
}

/// A table of settings; returns the Markdown and its word count.
pub fn table(rng: &mut Rng, rows: RangeInclusive<usize>) -> (String, usize) {
    let rows = rng.within(rows);
    let mut text = String::from("| Setting | Default | Effect |\n|---|---|---|\n");
    for _ in 0..rows {
        let setting = format!("{}_{}", rng.pick(&WORDS[..69]), rng.pick(&WORDS[..69]));
        let default = rng.range(1, 3600);
        text.push_str(&format!(
            "| `{setting}` | {default} | {} |\n",
            sentence(rng, 6..=6)
        ));
    }
    (text, rows * 8)
}

/// A fenced shell block for a product's command line tool.
pub fn code_block(rng: &mut Rng, tool: &str, code: &str) -> String {
    let mut text = String::from("```sh\n");
    for _ in 0..rng.range(2, 4) {
        text.push_str(&format!("{tool} {}\n", rng.pick(COMMANDS)));
    }
    text.push_str(&format!(
        "grep -n '{code}' /var/log/{tool}/{tool}.log | tail -n 20\n```\n"
    ));
    text
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |f| f.to_lowercase().chain(chars).collect())
}
