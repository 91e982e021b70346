//! KYC documents: which kinds exist, which file types are accepted, and the
//! check that a file is what its name says, by its content.

use crate::FieldError;

crate::word_enum!(
/// A KYC document's review: waiting, or decided.
DocumentStatus, "document status", {
    Submitted => "submitted", Approved => "approved", Rejected => "rejected",
});

crate::word_enum!(
/// A declared traffic source's review: waiting, or decided.
TrafficSourceStatus, "traffic source status", {
    Pending => "pending", Approved => "approved", Rejected => "rejected",
});

crate::word_enum!(
/// What a KYC document is.
DocumentType, "document type", {
    Id => "id", CompanyRegistration => "company_registration", ProofOfAddress => "proof_of_address",
});

crate::word_enum!(
/// Where a declared traffic source sends customers from.
TrafficSourceKind, "traffic source kind", {
    Website => "website", Social => "social", Paid => "paid", Email => "email", Other => "other",
});

/// Largest accepted document.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Accepted media types and the file extensions that name them.
const ACCEPTED: [(&str, &[&str]); 3] = [
    ("application/pdf", &["pdf"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
];

pub fn parse_doc_type(raw: &str) -> Result<DocumentType, FieldError> {
    <DocumentType as crate::Word>::from_word(raw.trim()).ok_or_else(|| {
        FieldError::new(
            "doc_type",
            format!(
                "'{}' is not a document type: id, company_registration or proof_of_address",
                raw.trim()
            ),
        )
    })
}

pub fn parse_traffic_source_kind(raw: &str) -> Result<TrafficSourceKind, FieldError> {
    <TrafficSourceKind as crate::Word>::from_word(raw.trim()).ok_or_else(|| {
        FieldError::new(
            "kind",
            format!(
                "'{}' is not a traffic source kind: website, social, paid, email or other",
                raw.trim()
            ),
        )
    })
}

/// Checks a document's size and content and returns its media type. The
/// content decides: a file whose name claims one type and whose bytes are
/// another (or not an accepted type at all) is refused.
pub fn check_document(file_name: &str, bytes: &[u8]) -> Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("file", format!("{file_name} is empty")));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(FieldError::new(
            "file",
            format!(
                "{file_name} is {}.{} MB; documents may be at most {} MB",
                bytes.len() / 1_048_576,
                bytes.len() % 1_048_576 * 10 / 1_048_576,
                MAX_DOCUMENT_BYTES / 1_048_576
            ),
        ));
    }
    let ext = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let claimed = ACCEPTED
        .iter()
        .find(|(_, exts)| exts.contains(&ext.as_str()))
        .map(|(m, _)| *m);
    let sniffed = infer::get(bytes).map(|t| t.mime_type());
    let accepted = sniffed.and_then(|s| ACCEPTED.iter().find(|(m, _)| *m == s).map(|(m, _)| *m));
    match (claimed, accepted) {
        (_, None) => Err(FieldError::new(
            "file",
            format!(
                "{file_name} is not a PDF, JPEG or PNG file (its content is {}); scan or export the document as one of those",
                sniffed.unwrap_or("not a recognised type")
            ),
        )),
        (None, Some(actual)) => Err(FieldError::new(
            "file",
            format!("{file_name} has no .pdf, .jpg or .png name although its content is {actual}; rename it to match"),
        )),
        (Some(c), Some(actual)) if c != actual => Err(FieldError::new(
            "file",
            format!("{file_name} claims to be {c} but its content is {actual}; the file's name does not match what it is"),
        )),
        (Some(_), Some(actual)) => Ok(actual),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n";
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn accepts_what_the_content_confirms() {
        assert_eq!(
            check_document("passport.pdf", PDF).unwrap(),
            "application/pdf"
        );
        assert_eq!(check_document("bill.PNG", PNG).unwrap(), "image/png");
    }

    #[test]
    fn refuses_a_file_that_lies_about_its_type() {
        let e = check_document("passport.pdf", PNG).unwrap_err();
        assert!(e.message.contains("content is image/png"), "{}", e.message);
        let e = check_document("passport.pdf", b"MZ\x90\x00 this is an exe").unwrap_err();
        assert!(
            e.message.contains("not a PDF, JPEG or PNG"),
            "{}",
            e.message
        );
        let e = check_document("notes.txt", b"hello").unwrap_err();
        assert!(e.message.contains("not a PDF"), "{}", e.message);
    }

    #[test]
    fn refuses_empty_and_oversized_files() {
        assert!(check_document("a.pdf", b"").is_err());
        let mut big = PDF.to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        let e = check_document("a.pdf", &big).unwrap_err();
        assert!(e.message.contains("at most 10 MB"), "{}", e.message);
    }

    #[test]
    fn document_types() {
        assert_eq!(parse_doc_type("id").unwrap(), DocumentType::Id);
        assert!(parse_doc_type("selfie").is_err());
    }
}
