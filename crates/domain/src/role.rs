//! The roles a user holds (what each may do is the app's access table,
//! crates/app/src/access.rs). A user's roles are stored as one text column,
//! the canonical words in the enum's order joined by commas
//! (`admin,finance`); [`Roles`] is that set, typed.

use std::collections::BTreeSet;

crate::word_enum!(
/// A role a user holds; a user may hold several.
Role, "role", {
    Admin => "admin",
    PartnerManager => "partner_manager",
    Compliance => "compliance",
    Finance => "finance",
    Viewer => "viewer",
});

/// A user's roles: a set, so no repeats and one order (the enum's).
pub type Roles = BTreeSet<Role>;

/// The stored text of a set of roles: its words in order, comma-separated.
pub fn roles_text(roles: &Roles) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The roles in `text` (words separated by commas, spaces around a word
/// ignored, empty parts skipped), or the first part that is not a role.
pub fn roles_from_text(text: &str) -> Result<Roles, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|w| <Role as crate::Word>::from_word(w).ok_or_else(|| w.to_string()))
        .collect()
}

/// Serde for a [`Roles`] kept as its stored text (`"admin,finance"`) in
/// JSON written before the set was typed (an approval's payload):
/// `#[serde(with = "partnerdesk_domain::role::as_text")]`.
pub mod as_text {
    use super::{roles_from_text, roles_text, Roles};

    pub fn serialize<S: serde::Serializer>(roles: &Roles, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&roles_text(roles))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Roles, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        roles_from_text(&text)
            .map_err(|bad| serde::de::Error::custom(format!("'{bad}' is not a role")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_stored_as_its_words_in_order_and_read_back() {
        let roles: Roles = [Role::Viewer, Role::Admin, Role::Finance, Role::Admin]
            .into_iter()
            .collect();
        assert_eq!(roles_text(&roles), "admin,finance,viewer");
        assert_eq!(roles_from_text("admin,finance,viewer").unwrap(), roles);
        assert_eq!(roles_from_text(" viewer , admin,finance,,").unwrap(), roles);
        assert_eq!(roles_from_text("").unwrap(), Roles::new());
        assert_eq!(roles_from_text("admin,root").unwrap_err(), "root");

        #[derive(serde::Serialize, serde::Deserialize)]
        struct Payload {
            #[serde(with = "as_text")]
            roles: Roles,
        }
        let text = serde_json::to_string(&Payload { roles }).unwrap();
        assert_eq!(text, r#"{"roles":"admin,finance,viewer"}"#);
        assert!(serde_json::from_str::<Payload>(r#"{"roles":"admin,root"}"#).is_err());
    }
}
