//! File names made from ids (statements are named after partners): safe on
//! Windows, macOS and Linux, and different ids always give different files.
//!
//! Ids may hold `/`, `\`, `:`, `*`, `?`, `<`, `>`, `|`, or be `CON`; none of
//! those may be (part of) a file name everywhere. Such characters are
//! written as `%XX` (and `%` itself as `%25`, so no two names meet), as are
//! a leading dot, trailing dots and spaces, and the first letter of a
//! Windows device name (`CON`, `NUL`, `COM1`, … also before an extension).
//! A name longer than [`MAX_STEM_BYTES`] is cut and given a hash of the
//! whole, and names that differ only in letter case (the same file on
//! Windows and macOS) are told apart by a hash too ([`file_stems`]).

/// The longest stem (in UTF-8 bytes): room for an extension and a folder's
/// own limits under the 255 bytes most file systems allow per name.
pub const MAX_STEM_BYTES: usize = 200;

/// The file-name stem for `raw` (see the module).
pub fn file_stem(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let trailing = chars
        .iter()
        .rev()
        .take_while(|c| matches!(c, '.' | ' '))
        .count();
    let mut out = String::with_capacity(raw.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let escape = matches!(
            c,
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '%'
        ) || crate::limits::is_forbidden_char(c)
            || (i == 0 && c == '.')
            || i >= chars.len() - trailing
            || (i == 0 && is_device_name(raw));
        if escape {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push_str("%00");
    }
    if out.len() > MAX_STEM_BYTES {
        let mut cut = MAX_STEM_BYTES - 17;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        // A cut may end inside a `%XX`: harmless, the hash tells it apart.
        out.truncate(cut);
        out.push_str(&format!("~{:016x}", fnv1a(raw)));
    }
    out
}

/// [`file_stem`] of each of `raws`, with names that would be the same
/// file on a case-insensitive file system (Windows, macOS) told apart by a
/// hash of their id.
pub fn file_stems(raws: &[String]) -> Vec<String> {
    let mut stems: Vec<String> = raws.iter().map(|r| file_stem(r)).collect();
    let mut by_folded: std::collections::HashMap<String, usize> = Default::default();
    for s in &stems {
        *by_folded.entry(s.to_lowercase()).or_default() += 1;
    }
    for (stem, raw) in stems.iter_mut().zip(raws) {
        if by_folded[&stem.to_lowercase()] > 1 {
            let mut cut = stem.len().min(MAX_STEM_BYTES - 17);
            while !stem.is_char_boundary(cut) {
                cut -= 1;
            }
            stem.truncate(cut);
            stem.push_str(&format!("~{:016x}", fnv1a(raw)));
        }
    }
    stems
}

/// Whether every supported OS can write `stem` as a file name as it is
/// (what [`file_stem`] makes always is).
pub fn is_safe_stem(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= MAX_STEM_BYTES
        && !stem.starts_with('.')
        && !stem.ends_with(['.', ' '])
        && !is_device_name(stem)
        && !stem.chars().any(|c| {
            matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                || crate::limits::is_forbidden_char(c)
        })
}

/// `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9` (and the
/// superscript digits), in any case, alone or before a `.` or spaces.
fn is_device_name(raw: &str) -> bool {
    let base = raw.split('.').next().unwrap_or("").trim_end_matches(' ');
    let upper = base.to_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let mut c = upper.chars();
            let head: String = c.by_ref().take(3).collect();
            let digit = c.next();
            (head == "COM" || head == "LPT")
                && c.next().is_none()
                && digit.is_some_and(|d| d.is_ascii_digit() || matches!(d, '¹' | '²' | '³'))
        }
    }
}

/// FNV-1a, 64 bits: a stable hash (the same name on every run and machine).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_stay_as_they_are() {
        for s in ["statement-P-001-2026-07", "statement-Zoë_1-run-3", "a.b"] {
            assert_eq!(file_stem(s), s);
            assert!(is_safe_stem(s), "{s}");
        }
    }

    #[test]
    fn characters_no_os_allows_are_escaped() {
        assert_eq!(
            file_stem("statement-a/b-2026-07"),
            "statement-a%2Fb-2026-07"
        );
        assert_eq!(file_stem(r#"x\:*?"<>|y"#), "x%5C%3A%2A%3F%22%3C%3E%7Cy");
        assert_eq!(file_stem("50%"), "50%25");
        assert_eq!(file_stem("tab\there"), "tab%09here");
        assert_eq!(file_stem(".."), "%2E%2E");
        assert_eq!(file_stem(".hidden"), "%2Ehidden");
        assert_eq!(file_stem("ends. "), "ends%2E%20");
        assert_eq!(file_stem(""), "%00");
        for s in ["a/b", "..", "x:y", "CON", "a.", ""] {
            assert!(!is_safe_stem(s), "{s}");
            assert!(is_safe_stem(&file_stem(s)), "{s}");
        }
    }

    #[test]
    fn windows_device_names_are_escaped() {
        for s in ["CON", "con", "Nul.txt", "COM1", "lpt9.pdf", "COM¹", "AUX  "] {
            let f = file_stem(s);
            assert!(f.starts_with('%'), "{s} → {f}");
        }
        for s in ["CONSOLE", "COM10", "statement-CON-2026-07", "NULL"] {
            assert_eq!(file_stem(s), s);
        }
    }

    #[test]
    fn different_ids_give_different_names() {
        let ids = ["a/b", "a%2Fb", "a_b", "a:b", "a%3Ab", "a.", "a%2E", "a"];
        let stems: std::collections::HashSet<String> = ids.iter().map(|s| file_stem(s)).collect();
        assert_eq!(stems.len(), ids.len());
    }

    #[test]
    fn long_names_are_cut_with_a_hash() {
        let a = format!("{}a", "é/".repeat(100));
        let b = format!("{}b", "é/".repeat(100));
        let (fa, fb) = (file_stem(&a), file_stem(&b));
        assert!(fa.len() <= MAX_STEM_BYTES, "{}", fa.len());
        assert_ne!(fa, fb);
        assert_eq!(fa, file_stem(&a), "stable");
    }

    #[test]
    fn names_equal_but_for_case_are_told_apart() {
        let raws = vec![
            "statement-P1-2026-07".to_string(),
            "statement-p1-2026-07".to_string(),
            "statement-Q-2026-07".to_string(),
        ];
        let stems = file_stems(&raws);
        assert_ne!(stems[0].to_lowercase(), stems[1].to_lowercase());
        assert_eq!(stems[2], "statement-Q-2026-07");
        assert!(stems.iter().all(|s| is_safe_stem(s)));
    }
}
