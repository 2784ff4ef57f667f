//! A business's knowledge folder: Markdown and text files whose headings
//! each start a passage, checked for what would make a bad answer, and
//! searched with BM25 (accent and case folded, Spanish and English
//! stemmed) so an agent answers customers' questions from the business's
//! own facts.
//!
//! A leaf crate: it knows nothing of conversations or brains, so the
//! domain can depend on it.

mod index;
mod load;
mod text;

pub use load::MAX_PASSAGE_CHARS;
pub use text::{Language, fold};

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// The relevance from which a hit answers the question (see
/// [`Hit::relevance`]). Chosen on the test clinic
/// (`evals/knowledge/dental-clinic/`, `tests/retrieval.rs`): its right
/// answers score from 0.55 up, the questions it cannot answer at most 0.50
/// (a stem shared by unrelated words: "estudiantes", "estudio"). A thin
/// margin: a miss here means "let me check with the team", which is the
/// cheaper mistake.
pub const GOOD_ENOUGH: f32 = 0.52;

/// What a passage's score is multiplied by when it is written in the
/// other language than the question.
const OTHER_LANGUAGE: f32 = 0.8;

/// What a file's preamble (the text before its first heading) scores
/// against a passage under a heading: it introduces the file ("all prices
/// in euros"), where a heading's passage answers one thing, so it answers
/// only when no passage does better.
const PREAMBLE: f32 = 0.6;

/// The words of what the customer said before that a question is read
/// with, at most.
const CONTEXT_WORDS: usize = 3;

/// A question whose second-best passage scores under this share of its
/// best picks its passage on its own, whatever was said around it.
const DECISIVE: f32 = 0.6;

/// One passage: a heading and the text under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Stable across reloads while the file and heading stay: the file's
    /// path in the folder without extension, `#` and the heading's slug
    /// (`precios#limpieza-dental`); just the path for a file's preamble.
    pub id: String,
    pub title: String,
    /// The text under the heading, trimmed, as written.
    pub body: String,
    pub file: PathBuf,
    /// The heading's line (1-based), or the preamble's first line.
    pub line: usize,
    /// None when the words do not tell (a list of names, a price table).
    pub language: Option<Language>,
}

/// Something in the folder that would make a bad answer, with where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based; 0 for a problem with the whole file.
    pub line: usize,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A heading with no text under it (and no deeper headings it groups).
    Empty {
        title: String,
    },
    /// Longer than [`MAX_PASSAGE_CHARS`]: split it under more headings.
    TooLong {
        title: String,
        chars: usize,
    },
    /// Another passage has this id (`first` is its `file:line`); this one
    /// was renamed with a number.
    DuplicateId {
        id: String,
        first: String,
    },
    /// Another passage in the same language has this title.
    DuplicateTitle {
        title: String,
        first: String,
    },
    NotUtf8,
    FileTooLarge {
        bytes: u64,
    },
    Unreadable(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        match &self.kind {
            ProblemKind::Empty { title } => write!(f, ": \"{title}\" has no text"),
            ProblemKind::TooLong { title, chars } => write!(
                f,
                ": \"{title}\" is {chars} characters, over {MAX_PASSAGE_CHARS} for one WhatsApp answer; split it under more headings"
            ),
            ProblemKind::DuplicateId { id, first } => {
                write!(f, ": id \"{id}\" is also at {first}")
            }
            ProblemKind::DuplicateTitle { title, first } => {
                write!(f, ": title \"{title}\" is also at {first}")
            }
            ProblemKind::NotUtf8 => write!(f, ": not UTF-8 text; save it as UTF-8"),
            ProblemKind::FileTooLarge { bytes } => {
                write!(f, ": {bytes} bytes, too large for a knowledge file")
            }
            ProblemKind::Unreadable(error) => write!(f, ": cannot be read: {error}"),
        }
    }
}

/// A passage that matches a query.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub passage: &'a Passage,
    /// The BM25 score: comparable between hits of one query only.
    pub score: f32,
    /// The score over the best the query could have had (each of its words
    /// found once in a passage of average length; a word the folder does
    /// not have at all counts as the rarest), capped at 1. Comparable
    /// across queries, so one threshold ([`GOOD_ENOUGH`]) can say whether
    /// the folder answers the question: a question about parking scores low
    /// in a folder that never mentions parking, whatever else matches.
    pub relevance: f32,
}

impl Hit<'_> {
    pub fn is_good_enough(&self) -> bool {
        self.relevance >= GOOD_ENOUGH
    }
}

/// A loaded folder: its passages, their index, and its problems.
pub struct Knowledge {
    passages: Vec<Passage>,
    problems: Vec<Problem>,
    index: index::Index,
}

impl fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Knowledge")
            .field("passages", &self.passages.len())
            .field("problems", &self.problems.len())
            .finish()
    }
}

impl Knowledge {
    /// A folder with nothing in it: every question goes to the team.
    pub fn empty() -> Knowledge {
        Knowledge::build(Vec::new(), Vec::new())
    }

    /// Reads every `.md` and `.txt` file under `dir`. Fails only when `dir`
    /// itself cannot be listed; a bad file is a [`Problem`] and the rest
    /// still load.
    pub fn load(dir: &Path) -> io::Result<Knowledge> {
        let mut passages = Vec::new();
        let mut problems = Vec::new();
        for file in load::files(dir)? {
            match load::read(&file) {
                Ok(source) => load::parse(
                    &name_in(dir, &file),
                    &file,
                    &source,
                    &mut passages,
                    &mut problems,
                ),
                Err(kind) => problems.push(Problem {
                    file,
                    line: 0,
                    kind,
                }),
            }
        }
        Ok(Knowledge::build(passages, problems))
    }

    /// Files given as (path in the folder, text) pairs, as a folder built
    /// into the binary (`include_str!`) or a test gives them.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Knowledge {
        let mut passages = Vec::new();
        let mut problems = Vec::new();
        for (path, source) in files {
            let file = PathBuf::from(path);
            load::parse(
                &name_in(Path::new(""), &file),
                &file,
                source,
                &mut passages,
                &mut problems,
            );
        }
        Knowledge::build(passages, problems)
    }

    fn build(mut passages: Vec<Passage>, mut problems: Vec<Problem>) -> Knowledge {
        load::deduplicate(&mut passages, &mut problems);
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let index = index::Index::new(&passages);
        Knowledge {
            passages,
            problems,
            index,
        }
    }

    /// In file order, then line order.
    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub fn passage(&self, id: &str) -> Option<&Passage> {
        self.passages.iter().find(|p| p.id == id)
    }

    /// The same facts as `passage` told in `language`: the one passage
    /// written in it that shares the most words with `passage` (numbers,
    /// names and words both languages spell alike: "55", "Sanitas",
    /// "Invisalign"), if any does. A folder with `es.md` and `en.md` answers an
    /// English customer in English even when the Spanish passage matched
    /// the question better ("how much is it?" after "quiero una limpieza").
    pub fn translation(&self, passage: &Passage, language: Language) -> Option<&Passage> {
        let neutral = |p: &Passage| -> std::collections::HashSet<String> {
            let folded = text::fold(&format!("{} {}", p.title, p.body));
            text::words(&folded)
                .filter(|w| {
                    w.chars().any(|c| c.is_ascii_digit())
                        || (w.chars().count() >= 3 && !text::is_stopword(w))
                })
                .map(str::to_owned)
                .collect()
        };
        let own = neutral(passage);
        let mut best: Option<(&Passage, usize)> = None;
        let mut tied = false;
        for other in self
            .passages
            .iter()
            .filter(|p| p.language == Some(language))
        {
            let shared = neutral(other).intersection(&own).count();
            match best {
                Some((_, most)) if shared < most => {}
                Some((_, most)) if shared == most => tied = true,
                _ if shared > 0 => {
                    best = Some((other, shared));
                    tied = false;
                }
                _ => {}
            }
        }
        best.filter(|_| !tied).map(|(p, _)| p)
    }

    /// The `k` passages that best match `query`, best first (ties in file
    /// order); none when no word of the query is in the folder. Whether the
    /// first answers the question: [`Hit::is_good_enough`].
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit<'_>> {
        self.search_as(query, text::detect(query), k)
    }

    /// [`Knowledge::search`] for a question asked in `asked`, when known.
    fn search_as(&self, query: &str, asked: Option<Language>, k: usize) -> Vec<Hit<'_>> {
        let (mut scored, best) = self.index.score(query);
        // A passage in the other language than the question's, when both
        // tell, ranks under an equal one in the customer's language.
        for s in &mut scored {
            if !self.passages[s.passage].id.contains('#') {
                s.score *= PREAMBLE;
            }
        }
        if let Some(asked @ (Language::Es | Language::En)) = asked {
            for s in &mut scored {
                let written = self.passages[s.passage].language;
                if written.is_some_and(|w| w != asked && w != Language::Both) {
                    s.score *= OTHER_LANGUAGE;
                }
            }
        }
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.passage.cmp(&b.passage)));
        scored.truncate(k);
        scored
            .into_iter()
            .map(|s| Hit {
                passage: &self.passages[s.passage],
                score: s.score,
                relevance: if best > 0.0 {
                    (s.score / best).min(1.0)
                } else {
                    0.0
                },
            })
            .collect()
    }
}

impl Knowledge {
    /// [`Knowledge::search`] for a question that leans on what was said
    /// around it ("soy Marta, quiero una limpieza, ¿cuánto cuesta?"): the
    /// words of `context` the folder has are added to the question. That
    /// reading wins when it is good enough, since it matches the question
    /// and its subject both ("cuánto cuesta" alone finds any passage about
    /// prices); else the better of the two. Words the folder lacks are left
    /// out, since each would count against the answer's relevance. The
    /// widened reading must find a passage the question's own words reach:
    /// else "can someone see me today?" from a customer who wants a
    /// cleaning would be answered with the cleaning's price.
    pub fn search_in_context(&self, query: &str, context: &str, k: usize) -> Vec<Hit<'_>> {
        let reached = self.search(query, usize::MAX);
        let alone: Vec<Hit<'_>> = reached.iter().take(k).copied().collect();
        // A question that picks its passage on its own ("does it connect
        // to our CRM?") keeps it: what was said around it only helps one
        // that could be about several ("cuánto cuesta?").
        if let [first, second, ..] = reached.as_slice()
            && first.is_good_enough()
            && second.score < DECISIVE * first.score
        {
            return alone;
        }
        // The context's rarest words the folder has, which say what the
        // customer is about ("capacitación", "limpieza"); not all of them,
        // since a long first message would drown the question.
        let mut known: Vec<(f32, &str)> = context
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .filter_map(|word| Some((self.index.rarity(word)?, word)))
            .collect();
        known.sort_by(|a, b| b.0.total_cmp(&a.0));
        known.dedup_by(|a, b| text::fold(a.1) == text::fold(b.1));
        let known: Vec<&str> = known
            .into_iter()
            .take(CONTEXT_WORDS)
            .map(|(_, word)| word)
            .collect();
        if known.is_empty() {
            return alone;
        }
        // In the question's language, not the context's: "how much is it?"
        // after "quiero una limpieza" asks in English.
        let widened = self.search_as(
            &format!("{query} {}", known.join(" ")),
            text::detect(query),
            k,
        );
        let relevance = |hits: &[Hit<'_>]| hits.first().map_or(0.0, |h| h.relevance);
        let own = widened
            .first()
            .is_some_and(|top| reached.iter().any(|h| h.passage.id == top.passage.id));
        if own && (relevance(&widened) >= GOOD_ENOUGH || relevance(&widened) > relevance(&alone)) {
            widened
        } else {
            alone
        }
    }
}

/// A file's path in the folder without its extension, `/`-separated:
/// the first part of its passages' ids.
fn name_in(dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(dir).unwrap_or(file).with_extension("");
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// What a folder's files look like now (paths, sizes, modification
/// times): equal stamps mean nothing to reload. Cheap enough to take every
/// few seconds, which is how a server notices an edited folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp(Vec<(PathBuf, u64, Option<SystemTime>)>);

impl Stamp {
    /// Fails only when `dir` itself cannot be listed; a file that cannot
    /// be read counts with no size and no time.
    pub fn of(dir: &Path) -> io::Result<Stamp> {
        Ok(Stamp(
            load::files(dir)?
                .into_iter()
                .map(|file| {
                    let meta = std::fs::metadata(&file).ok();
                    let size = meta.as_ref().map_or(0, |m| m.len());
                    let modified = meta.and_then(|m| m.modified().ok());
                    (file, size, modified)
                })
                .collect(),
        ))
    }
}

/// The knowledge a server answers from, replaced whole when its folder
/// changes: a turn takes [`Shared::current`] once and reads one consistent
/// folder, whatever a reload does meanwhile.
#[derive(Debug, Clone)]
pub struct Shared(Arc<RwLock<Arc<Knowledge>>>);

impl Shared {
    pub fn new(knowledge: Knowledge) -> Shared {
        Shared(Arc::new(RwLock::new(Arc::new(knowledge))))
    }

    pub fn current(&self) -> Arc<Knowledge> {
        // A poisoned lock still holds a whole folder: swaps do not panic
        // half-way.
        Arc::clone(&self.0.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn replace(&self, knowledge: Knowledge) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(knowledge);
    }
}

impl Default for Shared {
    fn default() -> Shared {
        Shared::new(Knowledge::empty())
    }
}
