//! Fonts for every script of the corpus.
//!
//! egui's default fonts (Ubuntu Light, Hack, emoji) cover Latin, Greek and Cyrillic only.
//! [`install_fonts`] appends a fallback font per script to the proportional and monospace
//! families: the operating system's Noto font when it is installed (Debian's
//! `fonts-noto-core` and `fonts-noto-cjk`, or the same files under another font folder),
//! else a subset bundled in the binary (`src/ui/fonts/`, made by `make-subsets.sh` there:
//! the script's basic ranges plus every character of the bundled corpus, 1.2 MB for all).
//!
//! Why not eframe's `system_fonts` feature: it looks fonts up on demand, one character at a
//! time, only inside `eframe::run_native` (not in `egui_kittest` tests), cannot say which
//! file served which script, and on a machine without Noto fonts finds nothing. Installing
//! the fonts up front gives the same glyphs in the app and in the screenshot tests.

use eframe::egui::{self, FontData, FontDefinitions, FontFamily};
use std::fmt;
use std::path::{Path, PathBuf};

/// A script whose letters egui's default fonts lack (or, for Greek and Cyrillic, whose rarer
/// letters they lack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    GreekCyrillic,
    Arabic,
    Hebrew,
    Devanagari,
    Bengali,
    Thai,
    Georgian,
    Armenian,
    Cjk,
}

impl Script {
    pub const ALL: [Script; 9] = [
        Script::GreekCyrillic,
        Script::Arabic,
        Script::Hebrew,
        Script::Devanagari,
        Script::Bengali,
        Script::Thai,
        Script::Georgian,
        Script::Armenian,
        Script::Cjk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Script::GreekCyrillic => "Greek and Cyrillic",
            Script::Arabic => "Arabic (also Persian and Urdu)",
            Script::Hebrew => "Hebrew",
            Script::Devanagari => "Devanagari",
            Script::Bengali => "Bengali",
            Script::Thai => "Thai",
            Script::Georgian => "Georgian",
            Script::Armenian => "Armenian",
            Script::Cjk => "Chinese, Japanese and Korean",
        }
    }

    /// The system font file (name, face index in a collection) and the bundled subset.
    fn files(self) -> (&'static str, u32, &'static str, &'static [u8]) {
        match self {
            Script::GreekCyrillic => (
                "NotoSans-Regular.ttf",
                0,
                "NotoSans-GreekCyrillic.ttf",
                include_bytes!("fonts/NotoSans-GreekCyrillic.ttf"),
            ),
            Script::Arabic => (
                "NotoSansArabic-Regular.ttf",
                0,
                "NotoSansArabic.ttf",
                include_bytes!("fonts/NotoSansArabic.ttf"),
            ),
            Script::Hebrew => (
                "NotoSansHebrew-Regular.ttf",
                0,
                "NotoSansHebrew.ttf",
                include_bytes!("fonts/NotoSansHebrew.ttf"),
            ),
            Script::Devanagari => (
                "NotoSansDevanagari-Regular.ttf",
                0,
                "NotoSansDevanagari.ttf",
                include_bytes!("fonts/NotoSansDevanagari.ttf"),
            ),
            Script::Bengali => (
                "NotoSansBengali-Regular.ttf",
                0,
                "NotoSansBengali.ttf",
                include_bytes!("fonts/NotoSansBengali.ttf"),
            ),
            Script::Thai => (
                "NotoSansThai-Regular.ttf",
                0,
                "NotoSansThai.ttf",
                include_bytes!("fonts/NotoSansThai.ttf"),
            ),
            Script::Georgian => (
                "NotoSansGeorgian-Regular.ttf",
                0,
                "NotoSansGeorgian.ttf",
                include_bytes!("fonts/NotoSansGeorgian.ttf"),
            ),
            Script::Armenian => (
                "NotoSansArmenian-Regular.ttf",
                0,
                "NotoSansArmenian.ttf",
                include_bytes!("fonts/NotoSansArmenian.ttf"),
            ),
            // Face 2 of the collection is Noto Sans CJK SC (0 JP, 1 KR, 2 SC, 3 TC, 4 HK); every
            // face covers Han, kana and Hangul.
            Script::Cjk => (
                "NotoSansCJK-Regular.ttc",
                2,
                "NotoSansCJK-Subset.otf",
                include_bytes!("fonts/NotoSansCJK-Subset.otf"),
            ),
        }
    }

    fn font_name(self) -> String {
        format!("driftlens-{self:?}")
    }
}

/// Where a script's font came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontSource {
    /// An installed font file (and the face index inside a `.ttc` collection).
    System { path: PathBuf, face: u32 },
    /// The subset bundled in the binary; `why` says why the system font was not used.
    Bundled { file: &'static str, why: String },
}

/// Which script's fallback font came from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontReport {
    pub scripts: Vec<(Script, FontSource)>,
}

impl FontReport {
    pub fn source(&self, script: Script) -> Option<&FontSource> {
        self.scripts
            .iter()
            .find(|(s, _)| *s == script)
            .map(|(_, src)| src)
    }
}

impl fmt::Display for FontReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (script, source) in &self.scripts {
            match source {
                FontSource::System { path, face: 0 } => {
                    writeln!(f, "{}: {}", script.name(), path.display())?
                }
                FontSource::System { path, face } => {
                    writeln!(f, "{}: {} (face {face})", script.name(), path.display())?
                }
                FontSource::Bundled { file, why } => {
                    writeln!(f, "{}: bundled {file} ({why})", script.name())?
                }
            }
        }
        Ok(())
    }
}

/// Folders searched for installed fonts, in order.
pub fn system_font_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share/fonts"));
        dirs.push(Path::new(&home).join(".fonts"));
        dirs.push(Path::new(&home).join("Library/Fonts"));
    }
    dirs.push(PathBuf::from("/Library/Fonts"));
    if let Some(windir) = std::env::var_os("WINDIR") {
        dirs.push(Path::new(&windir).join("Fonts"));
    }
    dirs
}

/// Finds `name` under `dirs` (four levels deep at most).
fn find_file(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    fn walk(dir: &Path, name: &str, depth: usize) -> Option<PathBuf> {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if depth == 0 {
            return None;
        }
        let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        subdirs.iter().find_map(|d| walk(d, name, depth - 1))
    }
    dirs.iter().find_map(|d| walk(d, name, 4))
}

/// A font file starts with one of these tags (TrueType, OpenType CFF, collection).
fn looks_like_font(bytes: &[u8]) -> bool {
    matches!(
        bytes.get(..4),
        Some([0, 1, 0, 0]) | Some(b"OTTO") | Some(b"ttcf") | Some(b"true")
    )
}

/// egui's default fonts plus a fallback per [`Script`], looked up under `system_dirs` (pass
/// an empty slice to use only the bundled subsets).
pub fn font_definitions(system_dirs: &[PathBuf]) -> (FontDefinitions, FontReport) {
    let mut defs = FontDefinitions::default();
    let mut report = FontReport {
        scripts: Vec::new(),
    };
    let mut names = Vec::new();
    for script in Script::ALL {
        let (system_name, face, bundled_name, bundled) = script.files();
        let system = match find_file(system_dirs, system_name) {
            None => Err(format!("{system_name} is not installed")),
            Some(path) => match std::fs::read(&path) {
                Err(e) => Err(format!("cannot read {}: {e}", path.display())),
                Ok(bytes) if !looks_like_font(&bytes) => {
                    Err(format!("{} is not a font file", path.display()))
                }
                Ok(bytes) => Ok((path, bytes)),
            },
        };
        let (data, source) = match system {
            Ok((path, bytes)) => (
                FontData::from_blob(std::sync::Arc::new(bytes), face),
                FontSource::System { path, face },
            ),
            Err(why) => (
                FontData::from_static(bundled),
                FontSource::Bundled {
                    file: bundled_name,
                    why,
                },
            ),
        };
        let name = script.font_name();
        defs.font_data
            .insert(name.clone(), std::sync::Arc::new(data));
        names.push(name);
        report.scripts.push((script, source));
    }
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = defs.families.entry(family).or_default();
        // After the text fonts, before egui's icon and emoji fonts.
        let at = list
            .iter()
            .position(|n| n == "egui-icons")
            .unwrap_or(list.len());
        for (i, name) in names.iter().enumerate() {
            list.insert(at + i, name.clone());
        }
    }
    (defs, report)
}

/// Installs fallback fonts for CJK, Arabic (with Persian and Urdu letters), Hebrew,
/// Devanagari, Bengali, Thai, Georgian, Armenian, Greek and Cyrillic, and says which came
/// from the system and which are the bundled subsets.
pub fn install_fonts(ctx: &egui::Context) -> FontReport {
    let (defs, report) = font_definitions(&system_font_dirs());
    ctx.set_fonts(defs);
    report
}
