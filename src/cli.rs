//! The command line: `serve`, `migrate` and provisioning commands for scripts.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::config::{ProcessEnv, Settings};
use crate::db;
use crate::domain::enums::{Language, RequestKind, Role};
use crate::services::admin::{self, NewOrganisation, RegisterInput, UserInput};
use crate::services::{demo, log_import, paper_forms, Rules, ServiceError};
use crate::startup::{build_context, Application};

#[derive(Parser)]
#[command(
    name = "rightsdesk",
    version,
    about = "Data-protection requests for Finnish social-services registers"
)]
pub struct Cli {
    /// TOML settings file (environment variables RIGHTSDESK_* override it).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: postgres://… for PostgreSQL, sqlite://PATH or a file path for SQLite.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (applies migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage an organisation's registers.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Manage an organisation's users.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Background work: reminders, the DPO digest and the outbox.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Access logs of client systems.
    #[command(subcommand)]
    Logs(LogsCommand),
    /// Request forms on paper, for units that keep printed forms.
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Check an export bundle: every file against the manifest, the manifest against its signature.
    Verify {
        /// The bundle (.zip) as the requester received it.
        bundle: PathBuf,
        /// The service's public key (base64, from GET /api/v1/keys); without it the key in the
        /// bundle is used and its id printed for comparison.
        #[arg(long, value_name = "BASE64")]
        public_key: Option<String>,
    },
}

#[derive(Subcommand)]
enum LogsCommand {
    /// Import access-log events (NDJSON or CSV); re-importing stores nothing twice.
    Import {
        file: PathBuf,
        #[arg(long, value_name = "ORG_SLUG")]
        org: String,
        /// Register slug for events without a `register` field.
        #[arg(long)]
        register: Option<String>,
        #[arg(long, value_parser = ["ndjson", "csv"], default_value = "ndjson")]
        format: String,
        /// The source system, for events without a `source` field.
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(Subcommand)]
enum FormsCommand {
    /// Write an organisation's form for one request kind as a PDF to print, fill in and sign.
    Print {
        #[arg(long, value_name = "ORG_SLUG")]
        org: String,
        /// access, log_inspection, rectification, erasure, restriction, objection or portability.
        #[arg(long, value_parser = parse_kind)]
        kind: RequestKind,
        /// fi, sv or en.
        #[arg(long, value_parser = parse_language, default_value = "fi")]
        lang: Language,
        /// Where to write it (default: <org>-<kind>-<lang>.pdf here); `-` for standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Queue due reminders and digests, send every message due now, and exit (for cron).
    RunOnce,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (overrides RIGHTSDESK_BIND).
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// First create a demonstration organisation, users and requests, and print the logins.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// Finnish business id (Y-tunnus), e.g. 1234567-8.
        #[arg(long)]
        business_id: Option<String>,
        /// Reference prefix (A-Z, 0-9, at most 8); default from the slug.
        #[arg(long)]
        prefix: Option<String>,
        /// Postal address printed on letters.
        #[arg(long)]
        address: Option<String>,
        /// Contact e-mail printed on letters.
        #[arg(long)]
        email: Option<String>,
        /// Contact phone printed on letters.
        #[arg(long)]
        phone: Option<String>,
        /// A public authority (municipality, wellbeing county): refusals print the court route.
        #[arg(long)]
        public_authority: bool,
    },
}

#[derive(Subcommand)]
enum RegisterCommand {
    /// Create a register in an organisation.
    Create {
        #[arg(long, value_name = "ORG_SLUG")]
        org: String,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long, value_name = "ORG_SLUG")]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        name: String,
        #[arg(long)]
        title: Option<String>,
        /// Read the password from standard input (required, so it never shows in `ps`).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "role must be staff, dpo or admin".to_string())
}

fn parse_kind(s: &str) -> Result<RequestKind, String> {
    RequestKind::parse(s).ok_or_else(|| {
        let kinds: Vec<&str> = RequestKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("kind must be one of {}", kinds.join(", "))
    })
}

fn parse_language(s: &str) -> Result<Language, String> {
    Language::parse(s).ok_or_else(|| "language must be fi, sv or en".to_string())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref(), &ProcessEnv)?;
    if let Some(db) = &cli.database {
        s.database.database_url = db.clone();
        db::DbTarget::parse(db).map_err(|p| anyhow::anyhow!("configuration: --database: {p}"))?;
    }
    Ok(s)
}

fn describe(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation(errors) => anyhow::anyhow!(
            "invalid input: {}",
            errors
                .iter()
                .map(|e| format!("{} ({})", e.field, e.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ServiceError::Internal(e) => e,
        other => anyhow::anyhow!("{other}"),
    }
}

/// Prints what matches and every problem found; fails when anything does not match.
fn verify_bundle(path: &std::path::Path, public_key: Option<&str>) -> anyhow::Result<()> {
    use base64::Engine as _;
    let trusted = public_key
        .map(|k| base64::engine::general_purpose::STANDARD.decode(k.trim()))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--public-key is not base64: {e}"))?;
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    let report = crate::bundle::verify(std::io::BufReader::new(file), trusted.as_deref());
    if let Some(m) = &report.manifest {
        println!(
            "bundle {} ({}), {} files",
            m.reference,
            m.kind,
            m.files.len()
        );
    }
    if let Some(k) = &report.key_id {
        let how = if trusted.is_some() {
            "the given key"
        } else {
            "the key in the bundle; compare with GET /api/v1/keys"
        };
        println!("signed by key {k} ({how})");
    }
    for p in &report.problems {
        println!("MISMATCH: {p}");
    }
    if report.is_ok() {
        println!("OK: every file matches the signed manifest");
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the bundle does not verify: {} problem(s)",
            report.problems.len()
        ))
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Verifying needs no configuration: whoever received a bundle can run it.
    if let Command::Verify { bundle, public_key } = &cli.command {
        return verify_bundle(bundle, public_key.as_deref());
    }
    let mut settings = settings(&cli)?;
    match cli.command {
        Command::Verify { bundle, public_key } => verify_bundle(&bundle, public_key.as_deref()),
        Command::Logs(LogsCommand::Import {
            file,
            org,
            register,
            format,
            source,
        }) => import_logs(
            settings,
            &file,
            &org,
            register.as_deref(),
            &format,
            source.as_deref(),
        ),
        Command::Forms(FormsCommand::Print {
            org,
            kind,
            lang,
            out,
        }) => print_form(&settings, &org, kind, lang, out),
        Command::Serve(args) => {
            if let Some(bind) = args.bind {
                settings.web.bind = bind;
            }
            let addr = settings.bind_addr()?;
            serve(settings, addr, args.demo)
        }
        Command::Migrate => {
            db::connect(&settings.db_target(), 1)?;
            println!("migrations applied");
            Ok(())
        }
        Command::Jobs(JobsCommand::RunOnce) => {
            let ctx = Arc::new(build_context(settings)?);
            let report = actix_web::rt::System::new().block_on(crate::jobs::run_once(
                ctx,
                &format!("run-once-{}", std::process::id()),
            ));
            let r = report.map_err(describe)?;
            println!(
                "queued {}, sent {}, to retry {}, failed {}, letters written {}",
                r.queued, r.sent, r.retrying, r.failed, r.letters
            );
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::http::openapi_document().to_pretty_json()?);
            Ok(())
        }
        Command::Org(OrgCommand::Create {
            slug,
            name,
            business_id,
            prefix,
            address,
            email,
            phone,
            public_authority,
        }) => {
            let pool = db::connect(&settings.db_target(), 1)?;
            let mut conn = pool.get()?;
            let org = admin::create_organisation(
                &mut conn,
                NewOrganisation {
                    slug,
                    name,
                    business_id,
                    reference_prefix: prefix,
                    profile: admin::OrganisationProfile {
                        postal_address: address,
                        email,
                        phone,
                        public_authority,
                        authority_contact: None,
                        oidc: None,
                        appeal: None,
                        default_language: Default::default(),
                    },
                },
            )
            .map_err(describe)?;
            println!(
                "organisation {} created (reference prefix {})",
                org.slug, org.reference_prefix
            );
            Ok(())
        }
        Command::Register(RegisterCommand::Create {
            org,
            slug,
            name,
            description,
        }) => {
            let pool = db::connect(&settings.db_target(), 1)?;
            let mut conn = pool.get()?;
            let org = db::orgs::find_organisation_by_slug(&mut conn, &org)?
                .ok_or_else(|| anyhow::anyhow!("no organisation with slug '{org}'"))?;
            let reg = admin::create_register(
                &mut conn,
                &org.id,
                None,
                RegisterInput {
                    slug,
                    name,
                    description,
                    info: Default::default(),
                },
            )
            .map_err(describe)?;
            println!("register {} created in {}", reg.slug, org.slug);
            Ok(())
        }
        Command::User(UserCommand::Create {
            org,
            email,
            role,
            name,
            title,
            password_stdin: _,
        }) => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let pool = db::connect(&settings.db_target(), 1)?;
            let mut conn = pool.get()?;
            let org = db::orgs::find_organisation_by_slug(&mut conn, &org)?
                .ok_or_else(|| anyhow::anyhow!("no organisation with slug '{org}'"))?;
            let user = admin::create_user(
                &mut conn,
                &org.id,
                None,
                UserInput {
                    email,
                    name,
                    title,
                    role,
                    password,
                },
            )
            .map_err(describe)?;
            println!("user {} created with role {}", user.id, user.role);
            Ok(())
        }
    }
}

/// `forms print`: no server context needed, only the database, the rules and the letters.
fn print_form(
    settings: &Settings,
    org: &str,
    kind: RequestKind,
    lang: Language,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let rules = Rules::load(settings)?;
    let letters = crate::letters::Letters::embedded()?;
    let pool = db::connect(&settings.db_target(), 1)?;
    let mut conn = pool.get()?;
    let now = chrono::Utc::now();
    let form = paper_forms::render(&mut conn, &rules.forms, &letters, org, kind, lang, now)
        .map_err(|e| match e {
            ServiceError::NotFound(_) => anyhow::anyhow!("no organisation with slug '{org}'"),
            other => describe(other),
        })?;
    let path = out.unwrap_or_else(|| PathBuf::from(&form.filename));
    if path.as_os_str() == "-" {
        use std::io::Write;
        std::io::stdout().write_all(&form.pdf)?;
        return Ok(());
    }
    std::fs::write(&path, &form.pdf)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    println!(
        "wrote {} ({} KB)",
        path.display(),
        form.pdf.len().div_ceil(1024)
    );
    Ok(())
}

fn serve(settings: Settings, addr: std::net::SocketAddr, with_demo: bool) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!("bind (RIGHTSDESK_BIND): cannot listen on {addr}: {e}"))?;
    let ctx = Arc::new(build_context(settings)?);
    if with_demo {
        let report = demo::ensure(&ctx).map_err(describe)?;
        println!(
            "demo organisation '{}' {}; sign in at POST /api/v1/auth/token with:",
            demo::DEMO_ORG,
            if report.created {
                "created"
            } else {
                "already present (passwords renewed)"
            }
        );
        for login in &report.logins {
            println!(
                "  {:<6} {:<24} {}",
                login.role.as_str(),
                login.email,
                login.password
            );
        }
    }
    actix_web::rt::System::new().block_on(async move {
        if ctx.settings.jobs.run_jobs {
            crate::jobs::spawn(ctx.clone());
        }
        tracing::info!(
            mail = ctx.mailer.describe(),
            jobs = ctx.settings.jobs.run_jobs,
            "background work"
        );
        let app = Application::bind(ctx, listener)?;
        // The bound port, so `--bind 127.0.0.1:0` tells where it went.
        println!("rightsdesk listening on http://{}:{}", addr.ip(), app.port);
        tracing::info!(port = app.port, "listening");
        app.server.await?;
        Ok(())
    })
}

/// `[#########...........]  45 %  900000 lines read, 250000/s` (by bytes of the file).
fn progress_line(done_bytes: u64, size: u64, lines: u64, rate: f64) -> String {
    const WIDTH: usize = 20;
    let fraction = if size == 0 {
        1.0
    } else {
        (done_bytes as f64 / size as f64).clamp(0.0, 1.0)
    };
    let filled = (fraction * WIDTH as f64).round() as usize;
    format!(
        "[{}{}] {:3.0} %  {lines} lines read, {rate:.0}/s   ",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        fraction * 100.0
    )
}

/// `logs import`: streams the file in batches, shows progress on stderr, prints a summary.
fn import_logs(
    settings: Settings,
    file: &std::path::Path,
    org: &str,
    register: Option<&str>,
    format: &str,
    source: Option<&str>,
) -> anyhow::Result<()> {
    use crate::domain::access_log::Format;
    let ctx = build_context(settings)?;
    let format = if format == "csv" {
        Format::Csv
    } else {
        Format::Ndjson
    };
    let imported = log_import::import_file(&ctx, file, org, register, format, source, |p| {
        let rate = p.lines_read as f64 / p.elapsed.as_secs_f64();
        eprint!(
            "\r{}",
            progress_line(p.bytes_read, p.file_size, p.lines_read, rate)
        );
    })
    .map_err(describe)?;
    let s = &imported.summary;
    let secs = imported.elapsed.as_secs_f64();
    eprintln!();
    for r in &s.rejections {
        println!("rejected line {}: {}", r.line, r.reason);
    }
    if (s.rejected as usize) > s.rejections.len() {
        println!(
            "... and {} more rejected lines",
            s.rejected as usize - s.rejections.len()
        );
    }
    println!(
        "read {}, stored {}, duplicates skipped {}, rejected {} in {:.1} s ({:.0} events/s)",
        s.read,
        s.stored,
        s.duplicates,
        s.rejected,
        secs,
        s.read as f64 / secs.max(1e-9)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::progress_line;

    #[test]
    fn the_progress_bar_follows_the_bytes_read() {
        assert_eq!(
            progress_line(450, 1000, 900_000, 250_000.4),
            "[#########...........]  45 %  900000 lines read, 250000/s   "
        );
        assert!(progress_line(0, 1000, 0, 0.0).starts_with("[....................]   0 %"));
        // Read-ahead past a file that grew, or an empty file: never past the end.
        assert!(progress_line(2000, 1000, 5, 1.0).starts_with("[####################] 100 %"));
        assert!(progress_line(0, 0, 0, 0.0).starts_with("[####################] 100 %"));
    }
}
