//! Which Apertium pair translates which language into English, and which Debian package
//! provides it.

/// An Apertium pair that translates one language into English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApertiumRoute {
    /// ISO 639-1 code of the source language.
    pub lang: &'static str,
    /// The Apertium mode (direction) that translates it into English.
    pub pair: &'static str,
    /// The Debian package that installs the pair.
    pub package: &'static str,
    /// A mode that transliterates Cyrillic into Latin first, where the pair reads Latin
    /// script only (Serbian is written in both).
    pub cyrillic_to_latin: Option<&'static str>,
    /// The mode that translates English into the language (same package), for the engine's
    /// own round trip of the original; `None` where the package has only the one direction.
    pub forward: Option<&'static str>,
}

/// Every language Apertium can translate into English from Debian's packages.
pub const APERTIUM_ROUTES: &[ApertiumRoute] = &[
    ApertiumRoute {
        lang: "es",
        pair: "spa-eng",
        package: "apertium-eng-spa",
        cyrillic_to_latin: None,
        forward: Some("eng-spa"),
    },
    ApertiumRoute {
        lang: "ca",
        pair: "cat-eng",
        package: "apertium-eng-cat",
        cyrillic_to_latin: None,
        forward: Some("eng-cat"),
    },
    ApertiumRoute {
        lang: "gl",
        pair: "gl-en",
        package: "apertium-en-gl",
        cyrillic_to_latin: None,
        forward: Some("en-gl"),
    },
    ApertiumRoute {
        lang: "eo",
        pair: "eo-en",
        package: "apertium-eo-en",
        cyrillic_to_latin: None,
        forward: Some("en-eo"),
    },
    ApertiumRoute {
        lang: "hr",
        pair: "hbs-eng",
        package: "apertium-hbs-eng",
        cyrillic_to_latin: Some("Cyrl-Latn"),
        forward: Some("eng-hbs_HR"),
    },
    ApertiumRoute {
        lang: "sr",
        pair: "hbs-eng",
        package: "apertium-hbs-eng",
        cyrillic_to_latin: Some("Cyrl-Latn"),
        forward: Some("eng-hbs_SR"),
    },
    ApertiumRoute {
        lang: "bs",
        pair: "hbs-eng",
        package: "apertium-hbs-eng",
        cyrillic_to_latin: Some("Cyrl-Latn"),
        forward: Some("eng-hbs_BS"),
    },
    ApertiumRoute {
        lang: "sh",
        pair: "hbs-eng",
        package: "apertium-hbs-eng",
        cyrillic_to_latin: Some("Cyrl-Latn"),
        forward: Some("eng-hbs"),
    },
    ApertiumRoute {
        lang: "eu",
        pair: "eu-en",
        package: "apertium-eu-en",
        cyrillic_to_latin: None,
        forward: None,
    },
    ApertiumRoute {
        lang: "is",
        pair: "isl-eng",
        package: "apertium-isl-eng",
        cyrillic_to_latin: None,
        forward: None,
    },
    ApertiumRoute {
        lang: "mk",
        pair: "mkd-eng",
        package: "apertium-mkd-eng",
        cyrillic_to_latin: None,
        forward: None,
    },
];

/// The Apertium pair for an ISO 639-1 code (case-insensitive; `es-ES` counts as `es`).
pub fn apertium_route(lang: &str) -> Option<&'static ApertiumRoute> {
    let code = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    APERTIUM_ROUTES.iter().find(|r| r.lang == code)
}

/// The Debian package that provides an Apertium pair (or transliteration mode, or the
/// forward direction), if known. Variants such as `spa-eng_US` and `eng-hbs_SR` belong to the
/// package of their pair.
pub fn apertium_package(pair: &str) -> Option<&'static str> {
    let base = pair.split('_').next().unwrap_or(pair);
    APERTIUM_ROUTES
        .iter()
        .find(|r| {
            r.pair == base
                || r.cyrillic_to_latin == Some(base)
                || r.forward
                    .is_some_and(|f| f == pair || f.split('_').next() == Some(base))
        })
        .map(|r| r.package)
}

/// The Apertium mode that translates English into `lang` (ISO 639-1), where the package
/// that translates it into English has that direction too.
pub fn apertium_forward(lang: &str) -> Option<&'static str> {
    apertium_route(lang).and_then(|r| r.forward)
}

/// The languages that have an Apertium route, for messages: `bs, ca, eo, …`.
pub fn apertium_languages() -> String {
    let mut langs: Vec<&str> = APERTIUM_ROUTES.iter().map(|r| r.lang).collect();
    langs.sort_unstable();
    langs.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_pairs_and_packages() {
        assert_eq!(apertium_route("es").unwrap().pair, "spa-eng");
        assert_eq!(apertium_route("ES-mx").unwrap().pair, "spa-eng");
        assert_eq!(
            apertium_route("sr").unwrap().cyrillic_to_latin,
            Some("Cyrl-Latn")
        );
        assert!(apertium_route("ja").is_none());
        assert_eq!(apertium_package("spa-eng_US"), Some("apertium-eng-spa"));
        assert_eq!(apertium_package("Cyrl-Latn"), Some("apertium-hbs-eng"));
        assert_eq!(apertium_package("xxx-yyy"), None);
        assert_eq!(apertium_forward("es"), Some("eng-spa"));
        assert_eq!(apertium_forward("sr"), Some("eng-hbs_SR"));
        assert_eq!(apertium_package("eng-hbs_SR"), Some("apertium-hbs-eng"));
        assert_eq!(apertium_forward("eu"), None);
    }
}
