//! Users, roles and sign-in. Passwords are kept as argon2 hashes; repeated
//! failures lock the account for a growing delay; every attempt is audited.
//! While the database has no users, the app runs in single-user mode as the
//! built-in local user (see [`crate::Actor::local`]).

use crate::access::{self, Role};
use crate::approvals::{self, Applied, ChangeOutcome, Request};
use crate::context::{Actor, Context};
use crate::error::{AppError, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use partnerdesk_store::compliance::{insert_user, update_user, UserRecord};
use partnerdesk_store::{Store, StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Failed attempts allowed before the account waits.
pub const FREE_ATTEMPTS: i64 = 3;
/// Minimum password length.
pub const MIN_PASSWORD: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct UserView {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub created_at: String,
}

/// A new user, or changes to one (`password` empty: unchanged).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct UserInput {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub password: String,
}

/// Who is using the app and what they may do.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SessionView {
    pub user: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// No users exist: the built-in local user acts with every role.
    pub single_user: bool,
    /// Use cases (names from the access table) this user may call.
    pub allowed: Vec<String>,
}

pub fn roles_of(text: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = text.split(',').filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

fn roles_text(roles: &[Role]) -> String {
    let mut r = roles.to_vec();
    r.sort();
    r.dedup();
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

fn view(u: &UserRecord) -> UserView {
    UserView {
        user_id: u.user_id.clone(),
        display_name: u.display_name.clone(),
        roles: roles_of(&u.roles),
        disabled: u.disabled,
        created_at: u.created_at.clone(),
    }
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Refused(format!("the password could not be hashed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The session of the actor in `ctx`.
#[tracing::instrument(name = "users::session", skip_all, fields(user = %ctx.actor.user))]
pub async fn session(ctx: &Context) -> Result<SessionView> {
    let single_user = ctx.store.user_count().await? == 0;
    let display_name = match ctx.store.user(&ctx.actor.user).await? {
        Some(u) => u.display_name,
        None => ctx.actor.user.clone(),
    };
    Ok(SessionView {
        user: ctx.actor.user.clone(),
        display_name,
        roles: ctx.actor.roles.clone(),
        single_user,
        allowed: access::ALL
            .iter()
            .filter(|u| access::allows(u, &ctx.actor.roles))
            .map(|u| u.name.to_string())
            .collect(),
    })
}

/// Whether the app must ask who is there (users exist).
pub async fn sign_in_required(store: &Store) -> Result<bool> {
    Ok(store.user_count().await? > 0)
}

async fn audit_attempt(store: &Store, user: &str, action: &str, detail: &str) -> Result<()> {
    let at = partnerdesk_domain::data::time_to_text(&chrono::Utc::now());
    let detail = serde_json::json!({ "detail": detail }).to_string();
    Ok(store
        .audit_alone(&at, user, action, "user", user, Some(&detail))
        .await?)
}

/// Checks a user name and password and returns the signed-in actor.
/// Wrong passwords count; after [`FREE_ATTEMPTS`] the account waits 5 s,
/// doubling with each further failure (at most 15 minutes).
#[tracing::instrument(name = "users::sign_in", skip_all, fields(user = %user_id.trim()))]
pub async fn sign_in(store: &Store, user_id: &str, password: &str) -> Result<Actor> {
    let user_id = user_id.trim();
    let wrong = || AppError::Denied("the user name or password is wrong".into());
    let Some(u) = store.user(user_id).await? else {
        audit_attempt(store, user_id, "sign_in.failed", "no such user").await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        return Err(wrong());
    };
    let now = chrono::Utc::now();
    if u.disabled {
        audit_attempt(store, user_id, "sign_in.refused", "account disabled").await?;
        return Err(AppError::Denied(format!(
            "the account '{user_id}' is disabled; ask an admin to enable it"
        )));
    }
    if let Some(until) = u
        .locked_until
        .as_deref()
        .and_then(|t| partnerdesk_domain::data::parse_time("locked_until", t).ok())
    {
        if until > now {
            let wait = (until - now).num_seconds().max(1);
            audit_attempt(
                store,
                user_id,
                "sign_in.refused",
                "waiting after failed attempts",
            )
            .await?;
            return Err(AppError::Denied(format!(
                "too many wrong passwords for '{user_id}': try again in {wait} s"
            )));
        }
    }
    if !verify_password(password, &u.password_hash) {
        let attempts = u.failed_attempts + 1;
        let locked_until = (attempts >= FREE_ATTEMPTS).then(|| {
            let secs = 5i64 << (attempts - FREE_ATTEMPTS).min(8);
            partnerdesk_domain::data::time_to_text(
                &(now + chrono::Duration::seconds(secs.min(900))),
            )
        });
        store
            .record_sign_in_failure(user_id, attempts, locked_until.as_deref())
            .await?;
        audit_attempt(
            store,
            user_id,
            "sign_in.failed",
            &format!("wrong password (attempt {attempts})"),
        )
        .await?;
        // A delay on every failure slows guessing even before the lock.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        return Err(match locked_until {
            Some(_) => AppError::Denied(format!(
                "the user name or password is wrong; after {attempts} failed attempts '{user_id}' must wait before trying again"
            )),
            None => wrong(),
        });
    }
    store.reset_sign_in_failures(user_id).await?;
    audit_attempt(store, user_id, "sign_in", "signed in").await?;
    Ok(Actor::with_roles(&u.user_id, &roles_of(&u.roles)))
}

#[tracing::instrument(name = "users::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context) -> Result<Vec<UserView>> {
    ctx.authorize(&access::USERS_LIST).await?;
    Ok(ctx.store.users().await?.iter().map(view).collect())
}

fn validate(input: &UserInput, new: bool) -> Result<()> {
    let id = input.user_id.trim();
    if id.is_empty()
        || id.len() > 64
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AppError::invalid(
            "user_id",
            "use 1–64 letters, digits, '.', '_', '-' or '@'",
        ));
    }
    if id.starts_with("local:") {
        return Err(AppError::invalid(
            "user_id",
            "'local:' names are reserved for the built-in user",
        ));
    }
    if input.display_name.trim().is_empty() {
        return Err(AppError::invalid("display_name", "give the user's name"));
    }
    if input.roles.is_empty() {
        return Err(AppError::invalid(
            "roles",
            "give the user at least one role",
        ));
    }
    if (new || !input.password.is_empty()) && input.password.chars().count() < MIN_PASSWORD {
        return Err(AppError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Creates a user or changes one (roles, name, disabled, password). Needs a
/// second admin's approval once two admins exist. The first user of a
/// database must be an admin: it ends single-user mode.
#[tracing::instrument(name = "users::save", skip_all, fields(user = %ctx.actor.user))]
pub async fn save(ctx: &Context, input: UserInput) -> Result<ChangeOutcome> {
    ctx.authorize(&access::USERS_MANAGE).await?;
    let existing = ctx.store.user(input.user_id.trim()).await?;
    validate(&input, existing.is_none())?;
    let user_id = input.user_id.trim().to_string();
    if existing.is_none()
        && ctx.store.user_count().await? == 0
        && !input.roles.contains(&Role::Admin)
    {
        return Err(AppError::invalid(
            "roles",
            "the first user must be an admin (it ends single-user mode; someone must manage users)",
        ));
    }
    if let Some(u) = &existing {
        if u.user_id == ctx.actor.user
            && !input.roles.contains(&Role::Admin)
            && roles_of(&u.roles).contains(&Role::Admin)
        {
            return Err(AppError::invalid(
                "roles",
                "you cannot take the admin role from yourself",
            ));
        }
        if u.user_id == ctx.actor.user && input.disabled {
            return Err(AppError::invalid("disabled", "you cannot disable yourself"));
        }
    }
    let password_hash = if input.password.is_empty() {
        None
    } else {
        Some(hash_password(&input.password)?)
    };
    let payload = serde_json::json!({
        "user_id": user_id,
        "display_name": input.display_name.trim(),
        "roles": roles_text(&input.roles),
        "disabled": input.disabled,
        "password_hash": password_hash,
        "new": existing.is_none(),
    });
    let summary = match &existing {
        None => format!(
            "create user {user_id} with roles {}",
            roles_text(&input.roles)
        ),
        Some(u) => {
            let mut parts = Vec::new();
            if u.roles != roles_text(&input.roles) {
                parts.push(format!("roles {} → {}", u.roles, roles_text(&input.roles)));
            }
            if u.disabled != input.disabled {
                parts.push(if input.disabled {
                    "disable".into()
                } else {
                    "enable".to_string()
                });
            }
            if password_hash.is_some() {
                parts.push("new password".into());
            }
            if u.display_name != input.display_name.trim() {
                parts.push(format!("name → {}", input.display_name.trim()));
            }
            if parts.is_empty() {
                return Ok(ChangeOutcome::done("nothing changed"));
            }
            format!("change user {user_id}: {}", parts.join(", "))
        }
    };
    if let Some(a) = approvals::submit(
        ctx,
        Request {
            kind: approvals::USER_CHANGE,
            object_type: "user",
            object_id: &user_id,
            summary: summary.clone(),
            payload: payload.clone(),
            amount: None,
        },
    )
    .await?
    {
        return Ok(ChangeOutcome::awaiting(a));
    }
    let mut tx = ctx.store.begin().await?;
    apply_change(ctx, &mut tx, &payload, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ChangeOutcome::done(summary))
}

pub(crate) async fn apply_change(
    ctx: &Context,
    tx: &mut Tx<'_>,
    payload: &serde_json::Value,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let text = |k: &str| payload.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let user_id =
        text("user_id").ok_or_else(|| StoreError::Corrupt("user change without user_id".into()))?;
    let now = ctx.now();
    let existing = ctx.store.user(&user_id).await?;
    let new_hash = text("password_hash");
    let record = UserRecord {
        user_id: user_id.clone(),
        display_name: text("display_name").unwrap_or_else(|| user_id.clone()),
        password_hash: match (&new_hash, &existing) {
            (Some(h), _) => h.clone(),
            (None, Some(u)) => u.password_hash.clone(),
            (None, None) => {
                return Err(AppError::invalid("password", "a new user needs a password"))
            }
        },
        roles: text("roles").unwrap_or_default(),
        disabled: payload
            .get("disabled")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        failed_attempts: 0,
        locked_until: None,
        created_at: existing
            .as_ref()
            .map(|u| u.created_at.clone())
            .unwrap_or_else(|| now.clone()),
        updated_at: now.clone(),
    };
    let before = existing
        .as_ref()
        .map(|u| serde_json::to_string(&view(u)).unwrap_or_default());
    let mut after = serde_json::to_value(view(&record)).unwrap_or_default();
    after["password_changed"] = serde_json::json!(new_hash.is_some());
    after["approval"] = approvals::applied_note(applied);
    if existing.is_some() {
        update_user(tx, &record).await?;
    } else {
        insert_user(tx, &record).await?;
    }
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        if existing.is_some() {
            "user.change"
        } else {
            "user.create"
        },
        "user",
        &user_id,
        before.as_deref(),
        Some(&after.to_string()),
    )
    .await?;
    Ok(())
}
