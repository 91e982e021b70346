//! Users, roles and sign-in. Passwords are kept as argon2 hashes; repeated
//! failures lock the account for a growing delay; every attempt is audited.
//! While the database has no users, the app runs in single-user mode as the
//! built-in local user (see [`crate::Actor::local`]).

use crate::access::{self, Role, Roles};
use crate::approvals::{self, ChangeOutcome, Request};
use crate::change::{Applied, Apply, Change, UserChange};
use crate::context::{Actor, Context};
use crate::error::{AppError, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use partnerdesk_domain::role::roles_text;
use partnerdesk_store::compliance::{
    clear_sign_in_failures, count_sign_in_failure, insert_user, lock_user_until, update_user,
    UserRecord,
};
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
    /// Moved on by every change: an edit sends back the version it was
    /// made from (see [`UserInput::row_version`]).
    pub row_version: i64,
}

/// A new user, or changes to one (`password` empty: unchanged).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct UserInput {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub password: String,
    /// On a change: the user's `row_version` when the form was opened; a
    /// user changed since is refused (code `stale`). None (a script, a new
    /// user): the user as it is now.
    #[serde(default)]
    pub row_version: Option<i64>,
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

/// The roles of a form or a command line as a set.
fn role_set(roles: &[Role]) -> Roles {
    roles.iter().copied().collect()
}

fn view(u: &UserRecord) -> UserView {
    UserView {
        user_id: u.user_id.clone(),
        display_name: u.display_name.clone(),
        roles: u.roles.iter().copied().collect(),
        disabled: u.disabled,
        created_at: u.created_at.clone(),
        row_version: u.row_version,
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
    // The roles as stored now: a session whose user was disabled ends here.
    let roles = ctx.current_roles().await?;
    let mut tx = ctx.store.read().await?;
    let single_user = tx.user_count().await? == 0;
    let display_name = match tx.user(&ctx.actor.user).await? {
        Some(u) => u.display_name,
        None => ctx.actor.user.clone(),
    };
    let allowed = access::ALL
        .iter()
        .filter(|u| access::allows(u, &roles))
        .map(|u| u.name.to_string())
        .collect();
    Ok(SessionView {
        user: ctx.actor.user.clone(),
        display_name,
        roles,
        single_user,
        allowed,
    })
}

/// Whether the app must ask who is there (users exist).
pub async fn sign_in_required(store: &Store) -> Result<bool> {
    Ok(store.read().await?.user_count().await? > 0)
}

async fn audit_attempt(store: &Store, user: &str, action: &str, detail: &str) -> Result<()> {
    let at = partnerdesk_domain::data::time_to_text(&chrono::Utc::now());
    let detail = serde_json::json!({ "detail": detail }).to_string();
    Ok(store
        .audit_alone(&at, user, action, "user", user, Some(&detail))
        .await?)
}

/// A hash of no one's password, checked against for a user name that does
/// not exist, so that an unknown name costs the same argon2 work as a known
/// one (made once, with the same parameters as every stored hash).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no user has this password").unwrap_or_default())
}

static DUMMY_CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many passwords this process has checked against the dummy hash: the
/// proof (in tests, without timing anything) that an unknown name costs the
/// argon2 work a known one does.
pub fn dummy_checks() -> u64 {
    DUMMY_CHECKS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Checks a user name and password and returns the signed-in actor.
/// Wrong passwords count; after [`FREE_ATTEMPTS`] the account waits 5 s,
/// doubling with each further failure (at most 15 minutes).
///
/// Nothing tells who exists: the password is checked first and in the same
/// work for every name (an unknown name is checked against a dummy hash), and
/// an unknown name, a wrong password and a disabled account all get the same
/// answer after the same delay; only the audit log says which it was.
///
/// The password is checked outside any transaction (argon2 takes a while,
/// and a write transaction holds the write lock); a failure is then counted
/// in SQL (`failed_attempts + 1`), so attempts made at the same moment all
/// count and the wait engages at the threshold whatever their order. A
/// wrong password counts while the account waits too, and is answered
/// exactly as a right one is then (a guess made while the account waits
/// learns nothing).
#[tracing::instrument(name = "users::sign_in", skip_all, fields(user = %user_id.trim()))]
pub async fn sign_in(store: &Store, user_id: &str, password: &str) -> Result<Actor> {
    let user_id = user_id.trim();
    let wrong = || AppError::Denied("the user name or password is wrong".into());
    let waits = |wait: i64| {
        AppError::Denied(format!(
            "too many wrong passwords for '{user_id}': try again in {wait} s"
        ))
    };
    // A delay on every refusal slows guessing even before the lock.
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(300));
    let found = store.read().await?.user(user_id).await?;
    let stored = found.as_ref().map(|u| u.password_hash.clone());
    let password_owned = password.to_string();
    // argon2 off the async threads: it takes a while by design.
    let right = tokio::task::spawn_blocking(move || {
        let hash = stored.as_deref().unwrap_or_else(|| {
            DUMMY_CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            dummy_hash()
        });
        verify_password(&password_owned, hash)
    })
    .await
    .unwrap_or(false);
    let Some(u) = found else {
        audit_attempt(store, user_id, "sign_in.failed", "no such user").await?;
        pause().await;
        return Err(wrong());
    };
    let now = chrono::Utc::now();
    if !right {
        let mut tx = store.begin().await?;
        let attempts = count_sign_in_failure(&mut tx, user_id).await?;
        let until = (attempts >= FREE_ATTEMPTS).then(|| {
            let secs = 5i64 << (attempts - FREE_ATTEMPTS).min(8);
            now + chrono::Duration::seconds(secs.min(900))
        });
        if let Some(until) = &until {
            let text = partnerdesk_domain::data::time_to_text(until);
            lock_user_until(&mut tx, user_id, &text).await?;
        }
        let detail =
            serde_json::json!({ "detail": format!("wrong password (attempt {attempts})") })
                .to_string();
        partnerdesk_store::audit(
            &mut tx,
            &partnerdesk_domain::data::time_to_text(&now),
            user_id,
            "sign_in.failed",
            "user",
            user_id,
            None,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        pause().await;
        return Err(match (waiting(&u, now), until) {
            // It waited already: the same answer as a right password gets.
            (Some(wait), _) => waits(wait),
            (None, Some(_)) => AppError::Denied(format!(
                "the user name or password is wrong; after {attempts} failed attempts '{user_id}' must wait before trying again"
            )),
            (None, None) => wrong(),
        });
    }
    if u.disabled {
        // The right password: only now may the answer depend on the
        // account, and it still says no more than a wrong password does.
        audit_attempt(store, user_id, "sign_in.refused", "account disabled").await?;
        pause().await;
        return Err(wrong());
    }
    let mut tx = store.begin().await?;
    let now_text = partnerdesk_domain::data::time_to_text(&chrono::Utc::now());
    // Cleared only while the account does not wait (a wrong password at
    // the same moment may have made it wait since it was read above).
    if !clear_sign_in_failures(&mut tx, user_id, &now_text).await? {
        drop(tx);
        let wait = store
            .read()
            .await?
            .user(user_id)
            .await?
            .and_then(|u| waiting(&u, chrono::Utc::now()))
            .unwrap_or(1);
        audit_attempt(
            store,
            user_id,
            "sign_in.refused",
            "waiting after failed attempts",
        )
        .await?;
        return Err(waits(wait));
    }
    let detail = serde_json::json!({ "detail": "signed in" }).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now_text,
        user_id,
        "sign_in",
        "user",
        user_id,
        None,
        Some(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Actor::with_roles(
        &u.user_id,
        &u.roles.iter().copied().collect::<Vec<_>>(),
    ))
}

/// How many seconds `u` must still wait at `now` after failed attempts, if any.
fn waiting(u: &UserRecord, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    let until = u
        .locked_until
        .as_deref()
        .and_then(|t| partnerdesk_domain::data::parse_time("locked_until", t).ok())?;
    (until > now).then(|| (until - now).num_seconds().max(1))
}

#[tracing::instrument(name = "users::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context) -> Result<Vec<UserView>> {
    ctx.authorize(&access::USERS_LIST).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .users()
        .await?
        .iter()
        .map(view)
        .collect())
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
    let user_id = input.user_id.clone();
    let password = input.password.clone();
    save_from(ctx, &user_id, &password, move |_| Ok(input)).await
}

/// [`save`] with the user's fields made by `change` from the user as stored
/// now (None: a new user), read in the transaction that writes them: a
/// script that changes a few fields undoes nothing changed meanwhile.
/// `password` (empty: unchanged) is hashed before the transaction begins
/// (argon2 takes a while, and a write transaction holds the write lock).
pub async fn save_from(
    ctx: &Context,
    user_id: &str,
    password: &str,
    change: impl FnOnce(Option<UserView>) -> Result<UserInput>,
) -> Result<ChangeOutcome> {
    ctx.authorize(&access::USERS_MANAGE).await?;
    if !password.is_empty() && password.chars().count() < MIN_PASSWORD {
        return Err(AppError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD} characters"),
        ));
    }
    let password_hash = match password.is_empty() {
        true => None,
        false => Some(hash_password(password)?),
    };
    let mut tx = ctx.store.begin().await?;
    let existing = tx.user_to_change(user_id.trim()).await?;
    let input = UserInput {
        password: password.to_string(),
        ..change(existing.as_ref().map(view))?
    };
    validate(&input, existing.is_none())?;
    let user_id = input.user_id.trim().to_string();
    if let Some(u) = existing
        .as_ref()
        .filter(|u| input.row_version.is_some_and(|v| v != u.row_version))
    {
        return Err(AppError::from(StoreError::Stale {
            what: "user",
            id: user_id,
            by: u.updated_by.clone(),
            at: u.updated_at.clone(),
        }));
    }
    if existing.is_none() && tx.user_count().await? == 0 && !input.roles.contains(&Role::Admin) {
        return Err(AppError::invalid(
            "roles",
            "the first user must be an admin (it ends single-user mode; someone must manage users)",
        ));
    }
    if let Some(u) = &existing {
        if u.user_id == ctx.actor.user
            && !input.roles.contains(&Role::Admin)
            && u.roles.contains(&Role::Admin)
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
    let change = UserChange {
        user_id: user_id.clone(),
        display_name: input.display_name.trim().to_string(),
        roles: role_set(&input.roles),
        disabled: input.disabled,
        password_hash: password_hash.clone(),
        new: existing.is_none(),
        // Applied only to the user as it was when the change was asked for.
        row_version: existing.as_ref().map(|u| u.row_version),
    };
    let summary = match &existing {
        None => format!(
            "create user {user_id} with roles {}",
            roles_text(&role_set(&input.roles))
        ),
        Some(u) => {
            let mut parts = Vec::new();
            if u.roles != role_set(&input.roles) {
                parts.push(format!(
                    "roles {} → {}",
                    roles_text(&u.roles),
                    roles_text(&role_set(&input.roles))
                ));
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
    if let Some(id) = approvals::queue(
        ctx,
        &mut tx,
        Request {
            change: Change::UserChange(change.clone()),
            object_type: "user",
            object_id: &user_id,
            summary: summary.clone(),
            amount: None,
            object_maker: None,
        },
    )
    .await?
    {
        tx.commit().await?;
        return Ok(ChangeOutcome::awaiting(approvals::queued(ctx, id).await?));
    }
    write_change(ctx, &mut tx, &change, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ChangeOutcome::done(summary))
}

/// A second admin approved the change.
impl Apply for UserChange {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        write_change(ctx, tx, self, Some(on)).await
    }
}

async fn write_change(
    ctx: &Context,
    tx: &mut Tx<'_>,
    change: &UserChange,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let user_id = change.user_id.clone();
    let now = ctx.now();
    let existing = tx.user_to_change(&user_id).await?;
    let new_hash = change.password_hash.clone();
    let record = UserRecord {
        user_id: user_id.clone(),
        display_name: change.display_name.clone(),
        password_hash: match (&new_hash, &existing) {
            (Some(h), _) => h.clone(),
            (None, Some(u)) => u.password_hash.clone(),
            (None, None) => {
                return Err(AppError::invalid("password", "a new user needs a password"))
            }
        },
        roles: change.roles.clone(),
        disabled: change.disabled,
        failed_attempts: 0,
        locked_until: None,
        created_at: existing
            .as_ref()
            .map(|u| u.created_at.clone())
            .unwrap_or_else(|| now.clone()),
        updated_at: now.clone(),
        row_version: change
            .row_version
            .or(existing.as_ref().map(|u| u.row_version))
            .unwrap_or(1),
        updated_by: ctx.actor.user.clone(),
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
