//! `partnerdesk users|approvals|audit|kyc|traffic|geo|customers`: compliance
//! from the command line.

use clap::Subcommand;
use partnerdesk_app::access::Role;
use partnerdesk_app::approvals::{self, ApprovalView, ChangeOutcome};
use partnerdesk_app::audit::{self, AuditQuery};
use partnerdesk_app::{compliance, users, AppError, Context};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum UsersCmd {
    /// List users and their roles
    List,
    /// Create a user (the password is read from PARTNERDESK_NEW_PASSWORD)
    Add {
        user_id: String,
        #[arg(long)]
        name: String,
        /// Comma-separated: admin, partner_manager, compliance, finance, viewer
        #[arg(long)]
        roles: String,
    },
    /// Change a user's roles, name or state (a new password from PARTNERDESK_NEW_PASSWORD when set)
    Edit {
        user_id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        roles: Option<String>,
        #[arg(long)]
        disable: bool,
        #[arg(long)]
        enable: bool,
    },
}

#[derive(Subcommand)]
pub enum ApprovalsCmd {
    /// Requests waiting (or --status approved|rejected|all)
    List {
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Approve a request, with a reason
    Approve {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Reject a request, with a reason
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Set the amount above which two approvers are needed
    Threshold { amount: String },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the hash chain; names the first broken entry (exit code 1 when broken)
    Verify {
        /// A head kept earlier (SEQ:HASH): also proves nothing was cut from the end
        #[arg(long)]
        head: Option<String>,
    },
    /// Print the head of the chain (SEQ:HASH) to keep outside the database
    Head,
    /// Write entries as CSV, oldest first
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        object_type: Option<String>,
        #[arg(long)]
        object_id: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        from: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum KycCmd {
    /// Upload a document (id, company_registration, proof_of_address) for a partner
    Upload {
        partner_id: String,
        #[arg(long)]
        doc_type: String,
        file: PathBuf,
    },
    /// Propose a review outcome for a document (approved by a second user)
    Review {
        document_id: String,
        #[arg(long)]
        reject: bool,
        #[arg(long)]
        note: String,
    },
    /// A partner's documents, traffic sources and allowed countries
    Show { partner_id: String },
}

#[derive(Subcommand)]
pub enum GeoCmd {
    /// Set the countries a partner may send customers from (none: any)
    Allow {
        partner_id: String,
        /// Comma-separated ISO codes, e.g. DE,AT; empty to allow all
        #[arg(long, default_value = "")]
        countries: String,
    },
    /// Partners sending customers from blocked or unexpected countries
    Report,
    /// Declare a traffic source for a partner (needs approval)
    Traffic {
        partner_id: String,
        /// website, social, paid, email or other
        #[arg(long)]
        kind: String,
        #[arg(long)]
        value: String,
    },
    /// Set a customer to excluded (earns nobody) or active, with a reason
    Customer {
        customer_id: String,
        #[arg(long)]
        status: String,
        #[arg(long)]
        reason: String,
    },
}

fn parse_roles(text: &str) -> Result<Vec<Role>, AppError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|r| Role::parse("--roles", r).map_err(AppError::from))
        .collect()
}

fn print_outcome(o: &ChangeOutcome) {
    outln!("{}", o.message);
}

fn print_approval(a: &ApprovalView) {
    outln!(
        "#{} [{}] {} — {} (by {} at {}; approvals {}/{})",
        a.approval_id,
        a.status,
        a.kind_label,
        a.summary,
        a.maker,
        a.created_at,
        a.approvals,
        a.required_approvals
    );
    for d in &a.decisions {
        outln!(
            "    {} {} at {}: {}",
            d.approver,
            d.decision,
            d.at,
            d.reason
        );
    }
}

fn new_password() -> String {
    std::env::var("PARTNERDESK_NEW_PASSWORD").unwrap_or_default()
}

pub async fn users_cmd(ctx: &Context, cmd: UsersCmd) -> Result<(), AppError> {
    match cmd {
        UsersCmd::List => {
            for u in users::list(ctx).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                outln!(
                    "{}\t{}\t{}{}",
                    u.user_id,
                    u.display_name,
                    roles.join(","),
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
        }
        UsersCmd::Add {
            user_id,
            name,
            roles,
        } => {
            let password = new_password();
            if password.is_empty() {
                return Err(AppError::invalid(
                    "password",
                    "set PARTNERDESK_NEW_PASSWORD to the new user's password",
                ));
            }
            let o = users::save(
                ctx,
                users::UserInput {
                    user_id,
                    display_name: name,
                    roles: parse_roles(&roles)?,
                    disabled: false,
                    password,
                    row_version: None,
                },
            )
            .await?;
            print_outcome(&o);
        }
        UsersCmd::Edit {
            user_id,
            name,
            roles,
            disable,
            enable,
        } => {
            let roles = roles.map(|r| parse_roles(&r)).transpose()?;
            // The fields not given stay as stored when the change is written
            // (read and written in one transaction).
            let o = users::save_from(ctx, &user_id, &new_password(), |current| {
                let current = current.ok_or(AppError::NotFound {
                    what: "user",
                    id: user_id.clone(),
                })?;
                Ok(users::UserInput {
                    user_id: user_id.clone(),
                    display_name: name.unwrap_or(current.display_name),
                    roles: roles.unwrap_or(current.roles),
                    disabled: if disable {
                        true
                    } else if enable {
                        false
                    } else {
                        current.disabled
                    },
                    password: String::new(),
                    row_version: Some(current.row_version),
                })
            })
            .await?;
            print_outcome(&o);
        }
    }
    Ok(())
}

pub async fn approvals_cmd(ctx: &Context, cmd: ApprovalsCmd) -> Result<(), AppError> {
    match cmd {
        ApprovalsCmd::List { status } => {
            let list = approvals::list(ctx, Some(status)).await?;
            if list.is_empty() {
                outln!("no requests");
            }
            for a in &list {
                print_approval(a);
            }
        }
        ApprovalsCmd::Approve { id, reason } => {
            print_approval(&approvals::decide(ctx, id, true, &reason).await?)
        }
        ApprovalsCmd::Reject { id, reason } => {
            print_approval(&approvals::decide(ctx, id, false, &reason).await?)
        }
        ApprovalsCmd::Threshold { amount } => {
            let v = approvals::set_threshold(ctx, &amount).await?;
            outln!("two approvers are needed above {v}");
        }
    }
    Ok(())
}

/// Returns whether the chain is intact (the exit code follows it).
pub async fn audit_cmd(ctx: &Context, cmd: AuditCmd) -> Result<bool, AppError> {
    match cmd {
        AuditCmd::Verify { head } => {
            let c = audit::verify(ctx, head.as_deref()).await?;
            outln!("{}", c.message);
            return Ok(c.ok);
        }
        AuditCmd::Head => outln!("{}", audit::head(ctx).await?),
        AuditCmd::Export {
            out,
            actor,
            object_type,
            object_id,
            from,
            to,
        } => {
            let q = AuditQuery {
                actor,
                object_type,
                object_id,
                from,
                to,
                ..Default::default()
            };
            let n = audit::export_csv(ctx, &q, &out).await?;
            outln!("{n} entries written to {}", out.display());
        }
    }
    Ok(true)
}

pub async fn kyc_cmd(ctx: &Context, cmd: KycCmd) -> Result<(), AppError> {
    match cmd {
        KycCmd::Upload {
            partner_id,
            doc_type,
            file,
        } => {
            let bytes = std::fs::read(&file).map_err(|e| AppError::Io {
                context: format!("cannot read {}", file.display()),
                source: e,
            })?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let d = compliance::upload_document(ctx, &partner_id, &doc_type, &name, &bytes).await?;
            outln!(
                "{} stored: {} {} ({} bytes, sha256 {})",
                d.document_id,
                d.doc_type,
                d.media_type,
                d.size_bytes,
                d.sha256
            );
        }
        KycCmd::Review {
            document_id,
            reject,
            note,
        } => print_outcome(&compliance::review(ctx, &document_id, !reject, &note).await?),
        KycCmd::Show { partner_id } => {
            let c = compliance::partner_compliance(ctx, &partner_id).await?;
            outln!("partner {} ({})", c.partner_id, c.status);
            for d in &c.documents {
                outln!(
                    "  document {} {} {} [{}]{}",
                    d.document_id,
                    d.doc_type,
                    d.file_name,
                    d.status,
                    d.reviewed_by
                        .as_deref()
                        .map(|r| format!(" by {r}"))
                        .unwrap_or_default()
                );
            }
            if !c.missing_documents.is_empty() {
                outln!(
                    "  missing approved documents: {}",
                    c.missing_documents
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            for s in &c.traffic_sources {
                outln!("  traffic {} {} [{}]", s.kind, s.value, s.status);
            }
            if c.allowed_countries.is_empty() {
                outln!("  allowed countries: any");
            } else {
                outln!("  allowed countries: {}", codes(&c.allowed_countries));
            }
        }
    }
    Ok(())
}

/// Country codes as typed on the command line: comma-separated.
fn codes(countries: &[partnerdesk_domain::CountryCode]) -> String {
    countries
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn geo_cmd(ctx: &Context, cmd: GeoCmd) -> Result<(), AppError> {
    match cmd {
        GeoCmd::Allow {
            partner_id,
            countries,
        } => {
            let list: Vec<String> = countries.split(',').map(|s| s.trim().to_string()).collect();
            let set = compliance::set_partner_countries(ctx, &partner_id, &list).await?;
            if set.is_empty() {
                outln!("{partner_id}: customers from any country are expected");
            } else {
                outln!("{partner_id}: allowed countries {}", codes(&set));
            }
        }
        GeoCmd::Report => {
            let rows = compliance::geo_report(ctx).await?;
            if rows.is_empty() {
                outln!("no partner sends customers from blocked or unexpected countries");
            }
            outln!("partner\tname\tbrand\tcountry\tblocked\tunexpected");
            for r in rows {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.partner_id,
                    r.partner_name,
                    r.brand_id,
                    r.country.as_ref().map_or("", |c| c.as_str()),
                    r.blocked,
                    r.unexpected
                );
            }
        }
        GeoCmd::Traffic {
            partner_id,
            kind,
            value,
        } => print_outcome(
            &compliance::declare_traffic_source(ctx, &partner_id, &kind, &value).await?,
        ),
        GeoCmd::Customer {
            customer_id,
            status,
            reason,
        } => {
            compliance::set_customer_status_checked(ctx, &customer_id, &status, &reason).await?;
            outln!("{customer_id}: {status}");
        }
    }
    Ok(())
}
