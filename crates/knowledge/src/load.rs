//! A knowledge folder read into passages, with what is wrong in it.

use crate::text::{self, Language};
use crate::{Passage, Problem, ProblemKind};
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The longest passage worth sending as one WhatsApp answer, in
/// characters. WhatsApp takes 4,096, but an answer longer than this reads
/// as a wall of text: such a passage should be split under more headings.
pub const MAX_PASSAGE_CHARS: usize = 1_000;

/// Files larger than this are not read: a knowledge file is a page of
/// facts, and a stray export or log must not fill the memory.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// How deep subfolders are followed; deeper (or a symlink loop) is skipped.
const MAX_DEPTH: usize = 8;

/// Every `.md` and `.txt` file under `dir` (subfolders too, hidden ones
/// skipped), in path order so ids and problems come out the same each run.
pub(crate) fn files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    walk(dir, 0, &mut found, true)?;
    found.sort();
    Ok(found)
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>, top: bool) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // Only the folder itself must be readable; a subfolder that is not
        // is left out rather than failing the whole load.
        Err(e) if top => return Err(e),
        Err(_) => return Ok(()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if hidden {
            continue;
        }
        let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
        if is_dir {
            if depth < MAX_DEPTH {
                walk(&path, depth + 1, found, false)?;
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "txt")
        ) {
            found.push(path);
        }
    }
    Ok(())
}

/// A file's text, or the problem that keeps it out.
pub(crate) fn read(path: &Path) -> Result<String, ProblemKind> {
    let size = fs::metadata(path)
        .map_err(|e| ProblemKind::Unreadable(e.to_string()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(ProblemKind::FileTooLarge { bytes: size });
    }
    let bytes = fs::read(path).map_err(|e| ProblemKind::Unreadable(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| ProblemKind::NotUtf8)
}

/// A passage as parsed, before ids are made unique.
struct Section {
    title: String,
    /// The heading's line, or the first text line for a file's preamble.
    line: usize,
    level: usize,
    body: Vec<String>,
}

/// The passages of one file, `name` being its path in the folder without
/// extension (`precios` or `faq/horarios`): every ATX heading (`#` to
/// `######`) starts one; text before the first heading is one titled by
/// the file's name. A heading with no text of its own that is followed by
/// a deeper one only groups them and is no passage.
pub(crate) fn parse(
    name: &str,
    file: &Path,
    source: &str,
    passages: &mut Vec<Passage>,
    problems: &mut Vec<Problem>,
) {
    let file_title = name.rsplit('/').next().unwrap_or(name).to_owned();
    let mut sections = vec![Section {
        title: file_title,
        line: 1,
        level: 0,
        body: Vec::new(),
    }];
    let mut fenced = false;
    for (n, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        match (!fenced).then(|| heading(line)).flatten() {
            Some((level, title)) => sections.push(Section {
                title: title.to_owned(),
                line: n + 1,
                level,
                body: Vec::new(),
            }),
            None => {
                let current = sections.last_mut().expect("the preamble is always there");
                if current.level == 0 && current.body.iter().all(|l| l.trim().is_empty()) {
                    current.line = n + 1;
                }
                current.body.push(line.to_owned());
            }
        }
    }
    for (i, section) in sections.iter().enumerate() {
        let body = section.body.join("\n").trim().to_owned();
        if body.is_empty() {
            let groups = sections
                .get(i + 1)
                .is_some_and(|next| next.level > section.level);
            // An empty preamble is just a file that starts with a heading.
            if section.level > 0 && !groups {
                problems.push(Problem {
                    file: file.to_owned(),
                    line: section.line,
                    kind: ProblemKind::Empty {
                        title: section.title.clone(),
                    },
                });
            }
            continue;
        }
        let slug = slug(&section.title);
        let id = if section.level == 0 || slug.is_empty() {
            name.to_owned()
        } else {
            format!("{name}#{slug}")
        };
        let chars = body.chars().count();
        if chars > MAX_PASSAGE_CHARS {
            problems.push(Problem {
                file: file.to_owned(),
                line: section.line,
                kind: ProblemKind::TooLong {
                    title: section.title.clone(),
                    chars,
                },
            });
        }
        let language = text::detect(&format!("{}\n{body}", section.title));
        passages.push(Passage {
            id,
            title: section.title.clone(),
            body,
            file: file.to_owned(),
            line: section.line,
            language,
        });
    }
}

/// An ATX heading's level and text: `## Horarios ##` → (2, "Horarios").
fn heading(line: &str) -> Option<(usize, &str)> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    if level == 0 || level > 6 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let title = rest.trim().trim_end_matches('#').trim_end();
    (!title.is_empty()).then_some((level, title))
}

/// A heading as an id part: folded, letters and digits joined by `-`
/// ("¿Qué incluye?" → "que-incluye").
pub(crate) fn slug(title: &str) -> String {
    // "Children's" is one word, not "children-s".
    let folded = text::fold(title).replace(['\'', '’'], "");
    text::words(&folded).collect::<Vec<_>>().join("-")
}

/// Problems found across files, ids made unique: two passages with one
/// id (a repeated heading in a file, or `a.md` beside `a.txt`) keep the
/// first and number the next (`-2`); two with one title in one language
/// would both match the same question, and the team would not know which
/// answer is sent.
pub(crate) fn deduplicate(passages: &mut [Passage], problems: &mut Vec<Problem>) {
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut titles: HashMap<(String, Option<Language>), String> = HashMap::new();
    for passage in passages.iter_mut() {
        let at = format!("{}:{}", passage.file.display(), passage.line);
        if let Some(first) = ids.get(&passage.id).cloned() {
            problems.push(Problem {
                file: passage.file.clone(),
                line: passage.line,
                kind: ProblemKind::DuplicateId {
                    id: passage.id.clone(),
                    first,
                },
            });
            let mut count = 2;
            while ids.contains_key(&format!("{}-{count}", passage.id)) {
                count += 1;
            }
            passage.id = format!("{}-{count}", passage.id);
            ids.insert(passage.id.clone(), at);
            continue;
        }
        ids.insert(passage.id.clone(), at.clone());
        // A title shared by a Spanish and an English passage ("WhatsApp")
        // is a translation, not a duplicate.
        let key = (text::fold(&passage.title), passage.language);
        match titles.get(&key) {
            Some(first) => problems.push(Problem {
                file: passage.file.clone(),
                line: passage.line,
                kind: ProblemKind::DuplicateTitle {
                    title: passage.title.clone(),
                    first: first.clone(),
                },
            }),
            None => {
                titles.insert(key, at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert_eq!(heading("## Horarios ##"), Some((2, "Horarios")));
        assert_eq!(heading("# Precios"), Some((1, "Precios")));
        assert_eq!(heading("#hashtag"), None);
        assert_eq!(heading("####### seven"), None);
        assert_eq!(heading("#"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("¿Qué incluye el plan Básico?"),
            "que-incluye-el-plan-basico"
        );
        assert_eq!(slug("???"), "");
    }
}
