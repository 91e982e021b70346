//! `partnerdesk compliance …`: fraud flags for review (click floods,
//! registrations without a click for link-only partners, self-referrals),
//! their settings, and partners marked link-only.

use clap::Subcommand;
use partnerdesk_app::tracking::fraud;
use partnerdesk_app::{AppError, Context};

#[derive(Subcommand)]
pub enum ComplianceCmd {
    /// Fraud flags (open ones unless --state says otherwise: open, dismissed, confirmed, all)
    Flags {
        #[arg(long, default_value = "open")]
        state: String,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Confirm or dismiss an open flag (compliance), with a note
    Review {
        id: i64,
        #[arg(long, conflicts_with = "dismiss", required_unless_present = "dismiss")]
        confirm: bool,
        #[arg(long)]
        dismiss: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Look for click floods now (the tracking server does it every minute)
    ScanFloods,
    /// Show or set the clicks of one visitor on one link in an hour beyond which it is flagged
    FloodLimit {
        #[arg(long)]
        clicks_per_hour: Option<u32>,
    },
    /// Mark a partner link-only (--off: not): its registrations without a click are flagged
    LinkOnly {
        #[arg(long)]
        partner: String,
        #[arg(long)]
        off: bool,
    },
}

pub async fn compliance_cmd(ctx: &Context, cmd: ComplianceCmd) -> Result<(), AppError> {
    match cmd {
        ComplianceCmd::Flags { state, limit } => {
            let state = (state != "all").then_some(state);
            outln!("id\tkind\tstate\tpartner\tbrand\tsubject\tcreated_at\treason");
            for f in fraud::flags(ctx, state.as_deref(), limit).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}{}",
                    f.id,
                    f.kind,
                    f.state,
                    f.partner_id.as_deref().unwrap_or(""),
                    f.brand_id.as_deref().unwrap_or(""),
                    f.subject,
                    f.created_at,
                    f.reason,
                    f.reviewed_by
                        .map(|b| format!(
                            " (reviewed by {b}{})",
                            f.note.map(|n| format!(": {n}")).unwrap_or_default()
                        ))
                        .unwrap_or_default()
                );
            }
        }
        ComplianceCmd::Review {
            id,
            confirm,
            dismiss: _,
            note,
        } => {
            let f = fraud::review(ctx, id, confirm, note.as_deref()).await?;
            outln!("flag {}: {}", f.id, f.state);
        }
        ComplianceCmd::ScanFloods => {
            let n = fraud::scan_click_floods(&ctx.store, chrono::Utc::now()).await?;
            outln!("{n} new click-flood flags");
        }
        ComplianceCmd::FloodLimit { clicks_per_hour } => {
            let n = match clicks_per_hour {
                Some(n) => fraud::set_flood_setting(ctx, n).await?,
                None => fraud::flood_setting(ctx).await?,
            };
            outln!("a click flood: more than {n} clicks of one visitor on one link in an hour");
        }
        ComplianceCmd::LinkOnly { partner, off } => {
            fraud::set_link_only(ctx, &partner, !off).await?;
            outln!(
                "partner {partner} is {}link-only",
                if off { "no longer " } else { "" }
            );
        }
    }
    Ok(())
}
