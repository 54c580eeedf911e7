//! Small grammars for the languages error articles show most: HTTP messages, nginx and Apache
//! configuration, which syntect's bundled set lacks, and shell commands, which it has: its
//! Bourne Again Shell grammar tells apart far more than a help article's one-line commands
//! need, at several times the cost per line (it was a quarter of a build's work on sites with a
//! command in every article). Each is a list of one-line rules (a regex and
//! the scopes of its groups), enough to tell directives, headers, strings, numbers and comments
//! apart. They are built in code rather than loaded from `.sublime-syntax` files, which would
//! need syntect's YAML loader and its unmaintained `yaml-rust` dependency.

use std::collections::HashMap;

use syntect::parsing::syntax_definition::{
    Context, ContextReference, MatchOperation, MatchPattern, Pattern,
};
use syntect::parsing::{Regex, Scope, SyntaxDefinition, SyntaxSet, SyntaxSetBuilder};

/// A regex and the scope of each capture group (`""` for none); group 0 is the whole match.
#[derive(Clone, Copy)]
struct Rule(&'static str, &'static [&'static str]);

struct Grammar {
    name: &'static str,
    /// The fence names that select it (`http`, `nginx`, …).
    tokens: &'static [&'static str],
    scope: &'static str,
    rules: &'static [Rule],
}

const STRINGS: [Rule; 2] = [
    Rule(r#""(?:[^"\\]|\\.)*""#, &["string.quoted.double"]),
    Rule(r"'(?:[^'\\]|\\.)*'", &["string.quoted.single"]),
];

/// The name of the shell grammar, which [`super::shell`] runs by hand.
pub const SHELL: &str = "Shell";

const GRAMMARS: &[Grammar] = &[
    Grammar {
        name: SHELL,
        tokens: &["sh", "bash", "shell", "zsh"],
        scope: "source.shell",
        rules: &[
            // A `#` starts a comment only at the start of a word.
            Rule(r"(?:^|(?<=[ \t;|&(]))#.*", &["comment.line.number-sign"]),
            Rule(r#""(?:[^"\\]|\\.)*""#, &["string.quoted.double"]),
            Rule(r"'[^']*'", &["string.quoted.single"]),
            Rule(
                r"\$\{[^}\n]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@#?*$!-]",
                &["variable.other.readwrite"],
            ),
            // NAME=value before a command.
            Rule(
                r"(?:^|(?<=[|;&(]))[ \t]*([A-Za-z_][A-Za-z0-9_]*)(=)",
                &[
                    "",
                    "variable.other.assignment",
                    "keyword.operator.assignment",
                ],
            ),
            // Words that start or end a construct rather than name a command.
            Rule(
                r"\b(?:if|then|else|elif|fi|for|while|until|do|done|case|esac|in|function|select)\b",
                &["keyword.control"],
            ),
            // The command: the first word of a line, or after `|`, `;`, `&&`, `||`, `(`, `then`,
            // `else` or `do`.
            Rule(
                r"(?:^|(?<=[|;&(])|(?<=\bthen|\belse|\bdo))[ \t]*(?!(?:if|then|else|elif|fi|for|while|until|do|done|case|esac|in|function|select)\b)([A-Za-z0-9_./~+-][A-Za-z0-9_./~+:@%-]*)",
                &["", "variable.function"],
            ),
            Rule(
                r"(?<=[ \t])--?[A-Za-z0-9][A-Za-z0-9_-]*",
                &["variable.parameter.option"],
            ),
            Rule(r"\|\||&&|[|;&]|[<>]+", &["keyword.operator"]),
            // A number on its own (`-n 20`), not part of an address or a name (`127.0.0.1`,
            // `:8080`, `v2`): search reads the page's text with every tag as a space.
            Rule(r"(?<![\w.:/-])[0-9]+(?![\w.:/-])", &["constant.numeric"]),
        ],
    },
    Grammar {
        name: "HTTP",
        tokens: &["http"],
        scope: "source.http",
        rules: &[
            // HTTP/1.1 401 Unauthorized
            Rule(
                r"^(HTTP/[0-9.]+)\s+([0-9]{3})\b(.*)",
                &[
                    "",
                    "keyword.other.protocol",
                    "constant.numeric.status",
                    "entity.name.reason",
                ],
            ),
            // GET /admin/ HTTP/1.1
            Rule(
                r"^([A-Z]+)[ \t]+(\S+)(?:[ \t]+(HTTP/[0-9.]+))?[ \t]*(?=\r?\n|\z)",
                &[
                    "",
                    "keyword.other.method",
                    "string.unquoted.target",
                    "keyword.other.protocol",
                ],
            ),
            // WWW-Authenticate: Basic realm="Staff area"
            Rule(
                r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(:)",
                &["", "variable.parameter.header", "punctuation.separator"],
            ),
            STRINGS[0],
        ],
    },
    Grammar {
        name: "nginx",
        tokens: &["nginx", "nginxconf"],
        scope: "source.nginx",
        rules: &[
            Rule(r"#.*", &["comment.line.number-sign"]),
            STRINGS[0],
            STRINGS[1],
            Rule(
                r"(?:^|(?<=[{;]))\s*([A-Za-z_][A-Za-z0-9_]*)\b",
                &["", "keyword.other.directive"],
            ),
            Rule(r"\$[A-Za-z_][A-Za-z0-9_]*", &["variable.parameter"]),
            Rule(r"\b(?:on|off)\b", &["constant.language"]),
            Rule(
                r"\b[0-9]+(?:\.[0-9]+)?[kKmMgGsShHdDwWyY]?\b",
                &["constant.numeric"],
            ),
        ],
    },
    Grammar {
        name: "Apache",
        tokens: &["apache", "apacheconf", "htaccess"],
        scope: "source.apacheconf",
        rules: &[
            Rule(r"#.*", &["comment.line.number-sign"]),
            Rule(
                r"(</?)([A-Za-z][A-Za-z0-9]*)",
                &["", "", "entity.name.tag.section"],
            ),
            Rule(
                r"^\s*([A-Za-z][A-Za-z0-9]*)\b",
                &["", "keyword.other.directive"],
            ),
            STRINGS[0],
            Rule(r"%\{[^}\s]*\}|\$[0-9]", &["variable.parameter"]),
            Rule(
                r"\[[A-Z]+(?:=[^\],]+)?(?:,[A-Z]+(?:=[^\],]+)?)*\]",
                &["constant.other.flags"],
            ),
            Rule(r"\b(?:On|Off|All|None)\b", &["constant.language"]),
            Rule(r"\b[0-9]+\b", &["constant.numeric"]),
        ],
    },
];

/// Whether the fence name `token` finds the shell grammar in [`syntax_set`], as syntect's
/// `find_syntax_by_token` finds it there (by file extension, then by name, ignoring case, the
/// last grammar first), told from the list without building the set: building it costs more
/// than the code of a hundred articles, and a site whose code is all shell commands in ASCII
/// never needs it.
pub fn finds_shell(token: &str) -> bool {
    let by_extension = GRAMMARS.iter().rev().find(|grammar| {
        grammar
            .tokens
            .iter()
            .any(|extension| extension.eq_ignore_ascii_case(token))
    });
    let by_name = || {
        GRAMMARS
            .iter()
            .rev()
            .find(|grammar| grammar.name.eq_ignore_ascii_case(token))
    };
    by_extension
        .or_else(by_name)
        .is_some_and(|grammar| grammar.name == SHELL)
}

/// The extra grammars as one syntax set, looked up after syntect's defaults.
pub fn syntax_set() -> SyntaxSet {
    let mut builder = SyntaxSetBuilder::new();
    for grammar in GRAMMARS {
        if let Some(definition) = definition(grammar) {
            builder.add(definition);
        }
    }
    builder.build()
}

fn definition(grammar: &Grammar) -> Option<SyntaxDefinition> {
    let mut main = Context::new(true);
    for rule in grammar.rules {
        main.patterns.push(Pattern::Match(pattern(rule)?));
    }
    // What syntect's YAML loader adds to every syntax: `__start` gives the whole block the
    // syntax's scope, then `__main` includes `main`.
    let mut start = Context::new(false);
    start.meta_content_scope = vec![Scope::new(grammar.scope).ok()?];
    start.patterns.push(Pattern::Match(MatchPattern {
        has_captures: false,
        regex: Regex::new(String::new()),
        scope: Vec::new(),
        captures: None,
        operation: MatchOperation::Push(vec![named("__main")?]),
        with_prototype: None,
    }));
    let mut outer_main = Context::new(true);
    outer_main.patterns.push(Pattern::Include(named("main")?));
    let contexts = HashMap::from([
        ("__start".to_string(), start),
        ("__main".to_string(), outer_main),
        ("main".to_string(), main),
    ]);
    Some(SyntaxDefinition {
        name: grammar.name.to_string(),
        file_extensions: grammar.tokens.iter().map(|t| t.to_string()).collect(),
        scope: Scope::new(grammar.scope).ok()?,
        first_line_match: None,
        hidden: false,
        variables: HashMap::new(),
        contexts,
    })
}

fn pattern(Rule(regex, scopes): &Rule) -> Option<MatchPattern> {
    let scope_of = |name: &str| -> Option<Vec<Scope>> {
        match name {
            "" => Some(Vec::new()),
            name => Scope::new(name).ok().map(|s| vec![s]),
        }
    };
    let captures: Vec<(usize, Vec<Scope>)> = scopes
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, name)| !name.is_empty())
        .map(|(group, name)| Some((group, scope_of(name)?)))
        .collect::<Option<_>>()?;
    Some(MatchPattern {
        has_captures: !captures.is_empty(),
        regex: Regex::new(regex.to_string()),
        scope: scope_of(scopes.first().copied().unwrap_or_default())?,
        captures: (!captures.is_empty()).then_some(captures),
        operation: MatchOperation::None,
        with_prototype: None,
    })
}

/// A reference to a context by name. The enum's variants are `#[non_exhaustive]`, so outside
/// syntect the only way to make one is through its serde form.
fn named(context: &str) -> Option<ContextReference> {
    serde_json::from_value(serde_json::json!({ "Named": context })).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_every_grammar_is_built() {
        for grammar in GRAMMARS {
            for Rule(regex, _) in grammar.rules {
                assert!(
                    Regex::try_compile(regex).is_none(),
                    "{}: {regex}",
                    grammar.name
                );
            }
        }
        let set = syntax_set();
        for token in ["http", "nginx", "apache", "htaccess", "sh", "bash"] {
            assert!(set.find_syntax_by_token(token).is_some(), "{token}");
        }
    }

    /// The shell grammar is told from the list exactly when the built set finds it.
    #[test]
    fn the_shell_is_found_from_the_list_as_in_the_set() {
        let set = syntax_set();
        let finds_in_set = |token: &str| {
            set.find_syntax_by_token(token)
                .is_some_and(|syntax| syntax.name == SHELL)
        };
        let mut words: Vec<String> = GRAMMARS
            .iter()
            .flat_map(|grammar| grammar.tokens.iter().chain([&grammar.name]))
            .map(|word| word.to_string())
            .collect();
        words.extend(["", "s", "shh", "bash ", "console", "powershell", "Ş"].map(String::from));
        let mut next = crate::test_random::numbers(0x6c8e_9cf5_7093_2bd1);
        let mut found = 0;
        for word in &words {
            for _ in 0..20 {
                // The word in a random mix of cases.
                let token: String = word
                    .chars()
                    .map(|c| match next(2) {
                        0 => c.to_ascii_uppercase(),
                        _ => c.to_ascii_lowercase(),
                    })
                    .collect();
                assert_eq!(finds_shell(&token), finds_in_set(&token), "{token:?}");
                found += usize::from(finds_shell(&token));
            }
        }
        // Both answers were among them.
        assert!(found >= 100 && found < words.len() * 20, "{found}");
    }
}
