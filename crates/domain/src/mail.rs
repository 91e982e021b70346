//! E-mail to partners, the pure part: the built-in templates, the variables
//! each may use, rendering (MiniJinja with strict undefined: a misspelt
//! variable is an error, never an empty gap in a message to a partner), and
//! the outbox's retry schedule.

use crate::FieldError;
use minijinja::{Environment, UndefinedBehavior, Value};
use std::collections::{BTreeMap, BTreeSet};

crate::word_enum!(
/// A message in the outbox: waiting (again), being handed to the server,
/// or settled.
OutboxStatus, "outbox status", {
    Queued => "queued", Sending => "sending", Sent => "sent", Failed => "failed",
    Cancelled => "cancelled",
});

/// A variable a template may use, with what it means and an example value
/// (the preview renders examples when no partner is chosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    pub description: &'static str,
    pub example: &'static str,
}

const fn var(name: &'static str, description: &'static str, example: &'static str) -> Variable {
    Variable {
        name,
        description,
        example,
    }
}

/// Every message knows who it is for and who sends it.
pub const COMMON: &[Variable] = &[
    var("partner.name", "The partner's name", "Zoë Šťastná"),
    var("partner.id", "The partner's id", "P-1042"),
    var(
        "partner.email",
        "The partner's e-mail address",
        "zoe@example.com",
    ),
    var(
        "partner.kind",
        "affiliate, ib, referral, media_buyer, influencer or strategic",
        "affiliate",
    ),
    var(
        "partner.status",
        "applied, pending_review, active, suspended or terminated",
        "active",
    ),
    var(
        "partner.currency",
        "The currency the partner is paid in",
        "EUR",
    ),
    var(
        "operator.name",
        "Your company's name (the From name in Settings → E-mail)",
        "Partnerdesk Operator Ltd",
    ),
];

const STATEMENT: &[Variable] = &[
    var(
        "period",
        "The month or payout the statement covers",
        "2026-07",
    ),
    var(
        "statement_file",
        "The attached PDF's file name",
        "statement-P-1042-2026-07.pdf",
    ),
];

const PAYOUT: &[Variable] = &[
    var("amount", "The amount paid, a decimal", "1250.00"),
    var("currency", "The currency of the payment", "EUR"),
    var(
        "payment_reference",
        "The payment's reference from the bank or wallet",
        "SEPA-2026-07-0042",
    ),
    var("run_id", "The payout run's number", "7"),
];

/// A template that ships with the app (editable; reset brings this text back).
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    pub key: &'static str,
    pub name: &'static str,
    pub subject: &'static str,
    pub body: &'static str,
    /// Variables beyond [`COMMON`].
    pub extra: &'static [Variable],
}

pub const WELCOME: &str = "welcome";
pub const APPLICATION_APPROVED: &str = "application_approved";
pub const STATEMENT_READY: &str = "statement_ready";
pub const PAYOUT_SENT: &str = "payout_sent";

pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        key: WELCOME,
        name: "Welcome",
        subject: "Welcome to {{ operator.name }}, {{ partner.name }}",
        body: "Hello {{ partner.name }},\n\nthank you for applying to the {{ operator.name }} partner programme. \
Your partner id is {{ partner.id }}. We review every application and will write to you as soon as yours is approved.\n\n\
Kind regards,\n{{ operator.name }}\n",
        extra: &[],
    },
    BuiltIn {
        key: APPLICATION_APPROVED,
        name: "Application approved",
        subject: "Your partner application is approved",
        body: "Hello {{ partner.name }},\n\ngood news: your application to the {{ operator.name }} partner programme is approved \
and your account {{ partner.id }} is active. Commissions are paid in {{ partner.currency }}.\n\n\
Kind regards,\n{{ operator.name }}\n",
        extra: &[],
    },
    BuiltIn {
        key: STATEMENT_READY,
        name: "Statement ready",
        subject: "Your statement for {{ period }}",
        body: "Hello {{ partner.name }},\n\nyour statement for {{ period }} is attached ({{ statement_file }}). \
It lists your commission by brand and kind, adjustments, payouts and your closing balance.\n\n\
Kind regards,\n{{ operator.name }}\n",
        extra: STATEMENT,
    },
    BuiltIn {
        key: PAYOUT_SENT,
        name: "Payout sent",
        subject: "Payout of {{ amount }} {{ currency }} sent",
        body: "Hello {{ partner.name }},\n\nwe have sent you {{ amount }} {{ currency }} (payment reference {{ payment_reference }}, \
payout run {{ run_id }}). Depending on the payment method it may take a few days to arrive.\n\n\
Kind regards,\n{{ operator.name }}\n",
        extra: PAYOUT,
    },
];

pub fn built_in(key: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|b| b.key == key)
}

/// The variables a template may use: the common ones, plus its own for a
/// built-in key. Custom templates and announcements have the common ones.
pub fn variables(key: Option<&str>) -> Vec<Variable> {
    let mut all = COMMON.to_vec();
    if let Some(b) = key.and_then(built_in) {
        all.extend_from_slice(b.extra);
    }
    all
}

/// Values for one message, by dotted name (`partner.name`).
pub type Values = BTreeMap<String, String>;

/// The example values of `vars` (for a preview without a partner).
pub fn examples(vars: &[Variable]) -> Values {
    vars.iter()
        .map(|v| (v.name.to_string(), v.example.to_string()))
        .collect()
}

/// Checks a template key: lower-case letters, digits and `_`, 1–40 long.
pub fn parse_key(raw: &str) -> Result<String, FieldError> {
    let key = raw.trim();
    let ok = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(key.to_string())
    } else {
        Err(FieldError::new(
            "key",
            format!("{} is not a template key: use lower-case letters, digits and _ (up to 40), such as monthly_news", crate::limits::shown(raw)),
        ))
    }
}

/// The steps a template may take to render: thousands of times what a
/// message needs, but a loop within a loop over 100,000 items stops.
const FUEL: u64 = 1_000_000;

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env
}

fn syntax(field: &str, e: &minijinja::Error) -> FieldError {
    let line = e
        .line()
        .map(|l| format!(" on line {l}"))
        .unwrap_or_default();
    let what = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    FieldError::new(
        field,
        format!("the {field} cannot be read{line}: {what} (variables are written {{{{ partner.name }}}})"),
    )
}

/// The longest line of a template, in characters. The template engine
/// counts columns in 16 bits: a longer line made its error positions
/// overflow (a panic in debug builds; the fuzzer found it). No message needs
/// a line of more than a few hundred characters.
pub const TEMPLATE_LINE_MAX_CHARS: usize = 10_000;
/// The longest template, in characters.
pub const TEMPLATE_MAX_CHARS: usize = 200_000;

fn sized(field: &str, text: &str) -> Result<(), FieldError> {
    if text.chars().nth(TEMPLATE_MAX_CHARS).is_some() {
        return Err(FieldError::new(
            field,
            format!("the {field} is longer than {TEMPLATE_MAX_CHARS} characters"),
        ));
    }
    if let Some(n) = text
        .lines()
        .position(|l| l.chars().nth(TEMPLATE_LINE_MAX_CHARS).is_some())
    {
        return Err(FieldError::new(
            field,
            format!(
                "line {} of the {field} is longer than {TEMPLATE_LINE_MAX_CHARS} characters: break it into shorter lines",
                n + 1
            ),
        ));
    }
    Ok(())
}

/// Checks one text (`field` is "subject" or "body") against the variables it
/// may use: a syntax error or an unknown variable is named.
pub fn check(field: &str, text: &str, allowed: &[Variable]) -> Result<(), FieldError> {
    sized(field, text)?;
    let env = env();
    let tmpl = env.template_from_str(text).map_err(|e| syntax(field, &e))?;
    let names: BTreeSet<&str> = allowed.iter().map(|v| v.name).collect();
    let used = tmpl.undeclared_variables(true);
    let mut unknown: Vec<&String> = used
        .iter()
        .filter(|u| !names.contains(u.as_str()))
        .collect();
    unknown.sort();
    if let Some(first) = unknown.first() {
        let list: Vec<&str> = names.iter().copied().collect();
        return Err(FieldError::new(
            field,
            format!(
                "unknown variable {} in the {field}: use one of {}",
                crate::limits::shown(first),
                list.join(", ")
            ),
        ));
    }
    if field == "subject" && text.contains('\n') {
        return Err(FieldError::new(
            "subject",
            "a subject is one line: remove the line break",
        ));
    }
    Ok(())
}

fn context(values: &Values) -> Value {
    let mut top: BTreeMap<String, Value> = BTreeMap::new();
    let mut groups: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for (name, value) in values {
        match name.split_once('.') {
            Some((group, field)) => {
                groups
                    .entry(group.to_string())
                    .or_default()
                    .insert(field.to_string(), Value::from(value.as_str()));
            }
            None => {
                top.insert(name.clone(), Value::from(value.as_str()));
            }
        }
    }
    for (group, fields) in groups {
        top.insert(group, Value::from(fields));
    }
    Value::from(top)
}

/// Renders one text with `values`; a variable without a value is an error
/// naming it (strict), so no message goes out with a gap.
pub fn render(field: &str, text: &str, values: &Values) -> Result<String, FieldError> {
    sized(field, text)?;
    let env = env();
    let tmpl = env.template_from_str(text).map_err(|e| syntax(field, &e))?;
    tmpl.render(context(values)).map_err(|e| {
        let missing: Vec<String> = tmpl
            .undeclared_variables(true)
            .into_iter()
            .filter(|v| !values.contains_key(v))
            .collect();
        match missing.first() {
            Some(v) => FieldError::new(
                field,
                format!(
                    "the {field} uses {}, which has no value for this message",
                    crate::limits::shown(v)
                ),
            ),
            None => syntax(field, &e),
        }
    })
}

/// How long the outbox waits before attempt `attempts + 1` after a temporary
/// failure, in seconds; None once it has tried [`MAX_ATTEMPTS`] times.
pub fn retry_delay_secs(attempts: u32) -> Option<i64> {
    const DELAYS: [i64; 4] = [60, 5 * 60, 30 * 60, 2 * 60 * 60];
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    Some(DELAYS[(attempts.max(1) as usize - 1).min(DELAYS.len() - 1)])
}

/// Attempts before a temporarily failing message is marked failed.
pub const MAX_ATTEMPTS: u32 = 5;

/// The states of an outbox message.
#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        examples(&variables(Some(PAYOUT_SENT)))
    }

    #[test]
    fn built_ins_use_only_their_variables_and_render() {
        for b in BUILT_IN {
            let vars = variables(Some(b.key));
            check("subject", b.subject, &vars).unwrap();
            check("body", b.body, &vars).unwrap();
            let v = examples(&vars);
            let body = render("body", b.body, &v).unwrap();
            assert!(body.contains("Zoë Šťastná"), "{}", b.key);
            assert!(!body.contains("{{"));
        }
    }

    #[test]
    fn payout_subject_renders_amount_and_currency() {
        let s = render("subject", built_in(PAYOUT_SENT).unwrap().subject, &values()).unwrap();
        assert_eq!(s, "Payout of 1250.00 EUR sent");
    }

    #[test]
    fn unknown_variable_is_named() {
        let e = check("body", "Hi {{ partner.nmae }}", &variables(None)).unwrap_err();
        assert_eq!(e.field, "body");
        assert!(e.message.contains("'partner.nmae'"), "{}", e.message);
        // A payout variable is unknown to the welcome template.
        let e = check("subject", "{{ amount }}", &variables(Some(WELCOME))).unwrap_err();
        assert!(e.message.contains("'amount'"));
    }

    #[test]
    fn syntax_error_names_the_line() {
        let e = check("body", "Hello\n{{ partner.name ", &variables(None)).unwrap_err();
        assert_eq!(e.field, "body");
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn missing_value_is_an_error_not_a_gap() {
        let mut v = values();
        v.remove("partner.name");
        let e = render("body", "Hi {{ partner.name }}", &v).unwrap_err();
        assert!(e.message.contains("partner.name"), "{}", e.message);
    }

    #[test]
    fn plain_text_is_not_html_escaped() {
        let mut v = values();
        v.insert("partner.name".into(), "Müller & Söhne <GmbH>".into());
        assert_eq!(
            render("body", "{{ partner.name }}", &v).unwrap(),
            "Müller & Söhne <GmbH>"
        );
    }

    #[test]
    fn subject_is_one_line() {
        assert!(check("subject", "a\nb", &variables(None)).is_err());
    }

    /// A line longer than the engine's 16-bit columns overflowed its error
    /// positions (found by the fuzzer): refused before it gets there.
    #[test]
    fn overlong_lines_are_refused_before_the_engine() {
        let long = format!("{{% if partner.status == 'ac{}", "x".repeat(70_000));
        let e = check("body", &long, COMMON).unwrap_err();
        assert!(e.message.contains("line 1 of the body is longer"), "{e}");
        assert!(render("body", &long, &values()).is_err());
        let many = "short line\n".repeat(30_000);
        assert!(check("body", &many, COMMON)
            .unwrap_err()
            .message
            .contains("longer than 200000"));
        assert!(check("body", &"x".repeat(9_000), COMMON).is_ok());
    }

    #[test]
    fn a_template_that_loops_for_ever_is_stopped() {
        let body =
            r#"{% for a in "x" * 100000 %}{% for b in "x" * 100000 %}x{% endfor %}{% endfor %}"#;
        assert!(check("body", body, COMMON).is_ok());
        let started = std::time::Instant::now();
        let e = render("body", body, &values()).unwrap_err();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{e}"
        );
    }

    #[test]
    fn keys() {
        assert_eq!(parse_key(" monthly_news ").unwrap(), "monthly_news");
        assert!(parse_key("Monthly News").is_err());
        assert!(parse_key("").is_err());
    }

    #[test]
    fn retry_schedule_grows_then_gives_up() {
        assert_eq!(retry_delay_secs(1), Some(60));
        assert_eq!(retry_delay_secs(2), Some(300));
        assert_eq!(retry_delay_secs(3), Some(1800));
        assert_eq!(retry_delay_secs(4), Some(7200));
        assert_eq!(retry_delay_secs(5), None);
    }
}
