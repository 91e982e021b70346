//! `partnerdesk brands …` and `partnerdesk partners …`.

use clap::Subcommand;
use partnerdesk_app::wire::{
    BrandView, PartnerInput, PartnerQuery, PartnerRow, PartnerSortKey, TrackingCodeView,
};
use partnerdesk_app::{brands, partners, AppError, Context};

#[derive(Subcommand)]
pub enum BrandsCmd {
    /// List brands
    List,
    /// Add a brand
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// igaming, forex or prop
        #[arg(long)]
        vertical: String,
        /// ISO 4217, e.g. EUR
        #[arg(long)]
        currency: String,
    },
}

#[derive(clap::Args)]
pub struct Fields {
    #[arg(long)]
    name: Option<String>,
    /// affiliate, ib, referral, media_buyer, influencer, strategic
    #[arg(long)]
    kind: Option<String>,
    /// The parent partner's id
    #[arg(long)]
    parent: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. DE
    #[arg(long)]
    country: Option<String>,
    /// ISO 4217, e.g. EUR
    #[arg(long)]
    currency: Option<String>,
    /// applied, pending_review, active, suspended, terminated
    #[arg(long)]
    status: Option<String>,
    /// A tag (repeat for several)
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long)]
    notes: Option<String>,
}

#[derive(Subcommand)]
pub enum PartnersCmd {
    /// Search and list partners, a page at a time
    List {
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        parent: Option<String>,
        /// partner_id, name, kind, status, country, created_at
        #[arg(long, default_value = "partner_id")]
        sort: String,
        #[arg(long)]
        desc: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        archived: bool,
    },
    /// Show one partner with its ancestors and tracking codes
    Show { id: String },
    /// Add a partner
    Add {
        #[arg(long)]
        id: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Change a partner's fields (only those given)
    Edit {
        id: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Move a partner and its subtree under another parent (or to the top)
    Move {
        id: String,
        #[arg(long, conflicts_with = "top")]
        parent: Option<String>,
        #[arg(long)]
        top: bool,
    },
    /// Archive a partner (or --restore it)
    Archive {
        id: String,
        #[arg(long)]
        restore: bool,
    },
    /// Print a partner's subtree
    Tree {
        id: String,
        #[arg(long, default_value_t = 5)]
        depth: u32,
    },
    /// Add a tracking code to a partner
    AddCode {
        id: String,
        #[arg(long)]
        brand: String,
        #[arg(long)]
        code: String,
        /// btag, agent, referral, coupon
        #[arg(long)]
        kind: String,
    },
}

pub async fn brands(ctx: &Context, cmd: BrandsCmd) -> Result<(), AppError> {
    match cmd {
        BrandsCmd::List => {
            for b in brands::list(ctx).await? {
                outln!("{}\t{}\t{}\t{}", b.brand_id, b.name, b.vertical, b.currency);
            }
        }
        BrandsCmd::Add {
            id,
            name,
            vertical,
            currency,
        } => {
            let b = brands::create(
                ctx,
                BrandView {
                    brand_id: id,
                    name,
                    vertical,
                    currency,
                },
            )
            .await?;
            outln!("added brand {}", b.brand_id);
        }
    }
    Ok(())
}

fn print_row(p: &PartnerRow) {
    outln!(
        "{}\t{}\t{}\t{}\tparent={}\t{}\t{}{}",
        p.partner_id,
        p.name,
        p.kind,
        p.status,
        p.parent_id.as_deref().unwrap_or("-"),
        p.country.as_ref().map_or("-", |c| c.as_str()),
        p.currency,
        if p.archived { "\tarchived" } else { "" }
    );
}

fn sort_key(s: &str) -> Result<PartnerSortKey, AppError> {
    Ok(match s {
        "partner_id" => PartnerSortKey::PartnerId,
        "name" => PartnerSortKey::Name,
        "kind" => PartnerSortKey::Kind,
        "status" => PartnerSortKey::Status,
        "country" => PartnerSortKey::Country,
        "created_at" => PartnerSortKey::CreatedAt,
        _ => return Err(AppError::invalid("--sort", format!("'{s}' is not a sort column; use partner_id, name, kind, status, country or created_at"))),
    })
}

pub async fn partners(ctx: &Context, cmd: PartnersCmd) -> Result<(), AppError> {
    match cmd {
        PartnersCmd::List {
            search,
            kind,
            status,
            parent,
            sort,
            desc,
            limit,
            offset,
            archived,
        } => {
            let q = PartnerQuery {
                text: search,
                kind,
                status,
                parent_id: parent,
                tag: None,
                include_archived: archived,
                sort: sort_key(&sort)?,
                desc,
                offset,
                limit,
            };
            let page = partners::search(ctx, &q).await?;
            for p in &page.rows {
                print_row(p);
            }
            errln!("{} of {} partners", page.rows.len(), page.total);
        }
        PartnersCmd::Show { id } => {
            let d = partners::get(ctx, &id).await?;
            print_row(&d.partner);
            let chain: Vec<&str> = d.ancestors.iter().map(|a| a.partner_id.as_str()).collect();
            outln!(
                "ancestors: {}",
                if chain.is_empty() {
                    "(top level)".to_string()
                } else {
                    chain.join(" > ")
                }
            );
            outln!("email: {}", d.partner.email.as_deref().unwrap_or("-"));
            outln!("tags: {}", d.partner.tags.join(", "));
            outln!("children: {}", d.partner.children);
            for t in &d.tracking_codes {
                outln!("code: {} {} ({})", t.brand_id, t.code, t.kind);
            }
        }
        PartnersCmd::Add { id, fields } => {
            let input = PartnerInput {
                partner_id: id,
                name: fields.name.unwrap_or_default(),
                kind: fields.kind.unwrap_or_else(|| "affiliate".into()),
                parent_id: fields.parent,
                email: fields.email,
                country: fields.country,
                currency: fields.currency.unwrap_or_else(|| "EUR".into()),
                status: fields.status.unwrap_or_else(|| "active".into()),
                tags: fields.tags,
                notes: fields.notes.unwrap_or_default(),
                contact_name: None,
                phone: None,
                row_version: None,
            };
            let p = partners::create(ctx, input).await?;
            outln!("added partner {}", p.partner_id);
        }
        PartnersCmd::Edit { id, fields } => {
            // The fields not given stay as stored when the edit is written
            // (read and written in one transaction).
            partners::edit_from(ctx, &id, |p| PartnerInput {
                name: fields.name.unwrap_or(p.name),
                kind: fields.kind.unwrap_or(p.kind),
                parent_id: fields.parent.or(p.parent_id),
                email: fields.email.or(p.email),
                country: fields.country.or(p.country),
                currency: fields.currency.unwrap_or(p.currency),
                status: fields.status.unwrap_or(p.status),
                tags: if fields.tags.is_empty() {
                    p.tags
                } else {
                    fields.tags
                },
                notes: fields.notes.unwrap_or(p.notes),
                ..p
            })
            .await?;
            outln!("saved partner {id}");
        }
        PartnersCmd::Move { id, parent, top } => {
            if parent.is_none() && !top {
                return Err(AppError::invalid("--parent", "give --parent ID or --top"));
            }
            let p = partners::move_partner(ctx, &id, parent.as_deref()).await?;
            outln!(
                "moved {} under {}",
                p.partner_id,
                p.parent_id.as_deref().unwrap_or("(top level)")
            );
        }
        PartnersCmd::Archive { id, restore } => {
            partners::archive(ctx, &id, !restore).await?;
            outln!("{} {id}", if restore { "restored" } else { "archived" });
        }
        PartnersCmd::Tree { id, depth } => {
            for r in partners::tree(ctx, &id, depth).await? {
                outln!(
                    "{}{} {}",
                    "  ".repeat(r.depth as usize),
                    r.partner.partner_id,
                    r.partner.name
                );
            }
        }
        PartnersCmd::AddCode {
            id,
            brand,
            code,
            kind,
        } => {
            let t = partners::add_tracking_code(
                ctx,
                TrackingCodeView {
                    brand_id: brand,
                    code,
                    partner_id: id,
                    kind,
                },
            )
            .await?;
            outln!(
                "added code {} to {} for {}",
                t.code,
                t.partner_id,
                t.brand_id
            );
        }
    }
    Ok(())
}
