//! The shape of a generated corpus: catalogs (top-level folders), their categories two or three
//! levels deep, and which article with which code sits where. Everything follows from the
//! article count and the seed.

use crate::text::Rng;

pub struct Catalog {
    pub slug: String,
    pub title: String,
    /// The product's command line tool, for code blocks.
    pub tool: String,
    /// Articles `first..first + count` belong to this catalog.
    pub first: usize,
    pub count: usize,
}

pub struct Category {
    /// Folder names below `content/`; empty for the home page.
    pub folders: Vec<String>,
    pub title: String,
    pub weight: usize,
}

pub struct Article {
    pub catalog: usize,
    pub category: usize,
    pub code: String,
    /// Related articles; `true` when the entry names another catalog (`catalog/code`).
    pub related: Vec<(usize, bool)>,
}

pub struct Plan {
    pub catalogs: Vec<Catalog>,
    pub categories: Vec<Category>,
    pub articles: Vec<Article>,
}

const PRODUCTS: &[&str] = &[
    "storage",
    "network",
    "auth",
    "billing",
    "database",
    "compute",
    "messaging",
    "identity",
    "backup",
    "indexing",
    "payments",
    "scheduler",
    "gateway",
    "telemetry",
    "registry",
    "firmware",
];

const GROUPS: &[&str] = &[
    "connection",
    "configuration",
    "permissions",
    "quota",
    "timeouts",
    "integrity",
    "protocol",
    "lifecycle",
    "replication",
    "encryption",
    "upgrade",
    "hardware",
];

const SUBGROUPS: &[&str] = &["client", "server", "agent"];

const MIN_RELATED: usize = 3;
const MAX_RELATED: usize = 8;

/// Groups per catalog; every other group has [`SUBGROUPS`], making a third level.
const GROUPS_PER_CATALOG: usize = 6;

impl Plan {
    pub fn new(articles: usize, seed: u64) -> Plan {
        // About sqrt(n)/10 catalogs: 4 at 1k, 10 at 10k, 32 at 100k articles.
        let catalog_count = ((articles as f64).sqrt() / 10.0).ceil().clamp(2.0, 64.0) as usize;
        let mut plan = Plan {
            catalogs: Vec::new(),
            categories: Vec::new(),
            articles: Vec::new(),
        };
        plan.categories.push(Category {
            folders: Vec::new(),
            title: "Generated knowledge base".into(),
            weight: 0,
        });
        for c in 0..catalog_count {
            let first = articles * c / catalog_count;
            let count = articles * (c + 1) / catalog_count - first;
            plan.add_catalog(c, first, count);
        }
        for id in 0..articles {
            plan.link_related(id, seed);
        }
        plan
    }

    fn add_catalog(&mut self, c: usize, first: usize, count: usize) {
        let product = PRODUCTS[c % PRODUCTS.len()];
        let round = c / PRODUCTS.len();
        let slug = if round == 0 {
            product.to_string()
        } else {
            format!("{product}-{}", round + 1)
        };
        let title = format!(
            "{}{} errors",
            capitalise(product),
            if round == 0 {
                String::new()
            } else {
                format!(" {}", round + 1)
            }
        );
        self.catalogs.push(Catalog {
            slug: slug.clone(),
            title,
            tool: format!("{product}ctl"),
            first,
            count,
        });
        self.categories.push(Category {
            folders: vec![slug.clone()],
            title: self.catalogs[c].title.clone(),
            weight: c,
        });
        let mut leaves = Vec::new();
        for g in 0..GROUPS_PER_CATALOG {
            let group = GROUPS[(c + g) % GROUPS.len()];
            let id = self.categories.len();
            self.categories.push(Category {
                folders: vec![slug.clone(), group.into()],
                title: capitalise(group),
                weight: g,
            });
            if g % 2 == 0 {
                leaves.push(id);
                continue;
            }
            for (s, sub) in SUBGROUPS.iter().enumerate() {
                leaves.push(self.categories.len());
                let folders = vec![slug.clone(), group.into(), (*sub).into()];
                self.categories.push(Category {
                    folders,
                    title: format!("{} {sub} errors", capitalise(group)),
                    weight: s,
                });
            }
        }
        for k in 0..count {
            let category = leaves[k * leaves.len() / count.max(1)];
            let group = &self.categories[category].folders[1];
            self.articles.push(Article {
                catalog: c,
                category,
                code: code(c, k, group),
                related: Vec::new(),
            });
        }
    }

    /// Links `id` to related articles until it has a number drawn from 3 to 8: mostly neighbours
    /// in its catalog, sometimes an article elsewhere. Links go both ways, as in a well-kept
    /// knowledge base, and no article gets more than [`MAX_RELATED`].
    fn link_related(&mut self, id: usize, seed: u64) {
        let mut rng = Rng::for_item(seed, 1, id as u64);
        let wanted = rng.range(MIN_RELATED, MAX_RELATED);
        let mut attempts = 0;
        while self.articles[id].related.len() < wanted && attempts < 200 {
            attempts += 1;
            let Some(target) = self.candidate(id, &mut rng) else {
                continue;
            };
            let taken = self.articles[id].related.iter().any(|(r, _)| *r == target);
            if target == id || taken || self.articles[target].related.len() >= MAX_RELATED {
                continue;
            }
            let elsewhere = self.articles[target].catalog != self.articles[id].catalog;
            self.articles[id].related.push((target, elsewhere));
            self.articles[target].related.push((id, elsewhere));
        }
    }

    /// A random article within 12 places of `id` in its catalog, or one time in eight an
    /// article of another catalog.
    fn candidate(&self, id: usize, rng: &mut Rng) -> Option<usize> {
        let catalog = &self.catalogs[self.articles[id].catalog];
        if self.catalogs.len() > 1 && rng.chance(8) {
            let other = (self.articles[id].catalog + rng.range(1, self.catalogs.len() - 1))
                % self.catalogs.len();
            let other = &self.catalogs[other];
            return (other.count > 0).then(|| other.first + rng.range(0, other.count - 1));
        }
        let k = (id - catalog.first + rng.range(0, 24)).checked_sub(12)?;
        (k < catalog.count).then_some(catalog.first + k)
    }

    /// Every article's backlinks, in article order.
    pub fn backlinks(&self) -> Vec<Vec<usize>> {
        let mut backlinks = vec![Vec::new(); self.articles.len()];
        for (id, article) in self.articles.iter().enumerate() {
            for (target, _) in &article.related {
                backlinks[*target].push(id);
            }
        }
        backlinks
    }

    pub fn slug(&self, id: usize) -> String {
        self.articles[id].code.to_ascii_lowercase()
    }

    /// The article's path below `content/`, without `.md`.
    pub fn content_path(&self, id: usize) -> String {
        format!(
            "{}/{}",
            self.categories[self.articles[id].category]
                .folders
                .join("/"),
            self.slug(id)
        )
    }
}

/// Codes in four styles real products use: numbers, prefixed numbers, HRESULT-like hex and
/// constant names. Unique within a catalog; numbers repeat across catalogs, as in real life.
fn code(catalog: usize, k: usize, group: &str) -> String {
    match catalog % 4 {
        0 => format!("{}", 1000 + k),
        1 => format!("E{k:05}"),
        2 => format!("0x8{catalog:03X}{k:04X}"),
        _ => format!("ERR_{}_{k}", group.to_ascii_uppercase()),
    }
}

pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or(String::new(), |f| f.to_uppercase().chain(chars).collect())
}
