//! `conn test`: select profiles, test them concurrently, render one report.

use std::sync::Arc;
use std::time::Instant;

use crate::check::{self, Options};
use crate::cli::{Format, Global, TestArgs};
use crate::config::{Config, Profile};
use crate::error::{ConfigError, Error};
use crate::exit::Category;
use crate::net::Http;
use crate::report::{self, ProfileReport, Report, Status, Step, StepName};

/// A profile to test, or why it cannot be.
pub enum Item {
    /// Ready.
    Ready(Box<Profile>),
    /// Its configuration is broken; the report is already written.
    Broken(Box<ProfileReport>),
}

/// Which profiles a command line asks for, as `(name, env)`.
pub fn selection(
    cfg: &Config,
    names: &[String],
    all: bool,
    tags: &[String],
    env: Option<&str>,
) -> Result<Vec<(String, Option<String>)>, Error> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut add = |n: String, e: Option<String>| {
        if !out.contains(&(n.clone(), e.clone())) {
            out.push((n, e));
        }
    };
    let env = env.filter(|e| !e.is_empty()).map(str::to_string);
    for spec in names {
        let (n, e) = match spec.split_once('@') {
            Some((n, e)) => (n.to_string(), Some(e.to_string())),
            None => (spec.clone(), env.clone()),
        };
        if !cfg.names().contains(&n.as_str()) {
            return Err(cfg.unknown_profile(&n).into());
        }
        add(n, e);
    }
    if all {
        for n in cfg.names() {
            add(n.to_string(), env.clone());
        }
    }
    if !tags.is_empty() {
        let mut any = false;
        for n in cfg.names() {
            if cfg.tags(n).iter().any(|t| tags.contains(t)) {
                any = true;
                add(n.to_string(), env.clone());
            }
        }
        if !any {
            return Err(Error::Usage(format!("no profile has the tag {}", tags.join(" or "))));
        }
    }
    if out.is_empty() {
        return Err(Error::Usage(
            "name the profiles to test, or use --all or --tag TAG".into(),
        ));
    }
    Ok(out)
}

/// Build each selected profile; broken ones become failed reports.
pub fn prepare(cfg: &Config, sel: Vec<(String, Option<String>)>) -> Vec<Item> {
    sel.into_iter()
        .map(|(name, env)| match cfg.select(&name, env.as_deref()) {
            Ok(p) => Item::Ready(Box::new(p)),
            Err(e) => Item::Broken(Box::new(broken(cfg, &name, env, e))),
        })
        .collect()
}

fn broken(cfg: &Config, name: &str, env: Option<String>, e: crate::config::Error) -> ProfileReport {
    let (summary, hints) = match &e {
        crate::config::Error::Invalid(c) => {
            let n = c.problems.len();
            let first = c.problems.first().map(|p| {
                let path = if p.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", p.path)
                };
                format!("{path}{}", p.message)
            });
            (
                format!(
                    "the profile is not valid ({n} problem{}): {}",
                    if n == 1 { "" } else { "s" },
                    first.unwrap_or_default()
                ),
                c.lines(),
            )
        }
        other => (other.to_string(), Vec::new()),
    };
    let _ = cfg;
    ProfileReport {
        profile: name.to_string(),
        environment: env,
        ty: "unknown".into(),
        auth: "unknown".into(),
        status: Status::Fail,
        category: Category::Config,
        kind: Some("config_invalid"),
        summary: summary.clone(),
        hints,
        warnings: Vec::new(),
        notes: Vec::new(),
        duration_ms: 0,
        steps: vec![Step {
            name: StepName::Config,
            status: Status::Fail,
            duration_ms: Some(0),
            http_status: None,
            url: None,
            detail: Some(summary),
        }],
        token: None,
        server_error: None,
    }
}

/// Test items concurrently, at most `jobs` at once; reports come back in the order given.
pub async fn run_all(
    items: Vec<Item>,
    opts: Options,
    jobs: usize,
    on_done: impl Fn(&ProfileReport, Option<&check::Obtained>, &Profile) + Send + Sync + 'static,
) -> Vec<ProfileReport> {
    let http = Arc::new(Http::default());
    let sem = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let opts = Arc::new(opts);
    let on_done = Arc::new(on_done);
    let mut handles = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Broken(r) => handles.push(Err(r)),
            Item::Ready(p) => {
                let (http, sem, opts, on_done) = (http.clone(), sem.clone(), opts.clone(), on_done.clone());
                let who = (
                    p.name.clone(),
                    p.env.clone(),
                    p.ty.as_str().to_string(),
                    p.auth.kind().to_string(),
                );
                handles.push(Ok((
                    who,
                    tokio::spawn(async move {
                        let _permit = sem.acquire_owned().await;
                        let (r, tok) = check::test_profile(&p, &http, &opts).await;
                        on_done(&r, tok.as_ref(), &p);
                        r
                    }),
                )));
            }
        }
    }
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        match h {
            Err(r) => out.push(*r),
            Ok((who, j)) => match j.await {
                Ok(r) => out.push(r),
                Err(e) => out.push(internal_failure(who, &e.to_string())),
            },
        }
    }
    out
}

/// A profile whose test stopped inside conn (a panic): that profile fails with category
/// `internal` (exit 70); the others keep their verdicts.
fn internal_failure(who: (String, Option<String>, String, String), msg: &str) -> ProfileReport {
    let (profile, environment, ty, auth) = who;
    ProfileReport {
        profile,
        environment,
        ty,
        auth,
        status: Status::Fail,
        category: Category::Internal,
        kind: Some("internal"),
        summary: format!("internal error: {msg}"),
        hints: vec!["this is a bug in conn; please report it".into()],
        warnings: Vec::new(),
        notes: Vec::new(),
        duration_ms: 0,
        steps: Vec::new(),
        token: None,
        server_error: None,
    }
}

/// A runtime for a run.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start", e))
}

/// Render and emit a report; returns the run's exit code.
pub fn emit(r: &Report, format: Format, output: Option<&std::path::Path>, quiet: bool) -> Result<u8, Error> {
    let r = &report::safe::cleaned(r);
    let text = match format {
        Format::Human => report::human::render(r, report::human::Style { quiet }),
        Format::Json => report::json::render(r),
        Format::Junit => report::junit::render(r),
    };
    // Every server string in the report was cleaned where it was read; this is the last net
    // for anything that reached the report another way (a URL a server chose, for one).
    let text = crate::secret::redact(&text);
    match output {
        Some(path) => {
            super::write_atomic(path, &text)?;
            if crate::term::stdout_is_terminal() {
                eprint!(
                    "{}",
                    crate::secret::redact(&report::human::render(r, report::human::Style { quiet: true }))
                );
            }
        }
        None => super::print(&text)?,
    }
    Ok(r.exit_code)
}

/// RFC 3339 time now.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// `conn test`.
pub fn run(g: &Global, a: &TestArgs) -> Result<u8, Error> {
    let cfg = super::load(g)?;
    if !cfg.file_problems.is_empty() {
        return Err(Error::from(ConfigError {
            file: cfg.path.clone(),
            text: cfg.text.clone(),
            problems: cfg.file_problems.clone(),
        }));
    }
    let sel = selection(&cfg, &a.profiles, a.all, &a.tag, g.env.as_deref())?;
    let items = prepare(&cfg, sel);
    let store = crate::store::Store::open().ok().map(Arc::new);
    offer_logins(g, &items, store.as_deref());
    let opts = Options {
        no_probe: a.no_probe,
        timeout: a.timeout,
        verbose: g.verbose,
        store: store.clone(),
    };
    let started_at = now_rfc3339();
    let t = Instant::now();
    let rt = runtime()?;
    // A passing test stores the token it obtained, so that a following `conn token` is instant.
    let keep = move |r: &ProfileReport, got: Option<&check::Obtained>, p: &Profile| {
        if r.status == Status::Fail {
            return;
        }
        if let (Some(s), Some(o)) = (&store, got) {
            crate::session::keep_obtained(s, p, &o.token, o.received_at, o.credentials.clone());
        }
    };
    let progress = crate::progress::Progress::start(items.len(), g.quiet || g.verbose);
    let tick = progress.tick();
    let keep = move |r: &ProfileReport, got: Option<&check::Obtained>, p: &Profile| {
        tick.done(r.status == Status::Fail);
        keep(r, got, p)
    };
    let profiles = rt.block_on(run_all(items, opts, a.jobs as usize, keep));
    progress.finish();
    let report = Report::new(started_at, t.elapsed().as_millis() as u64, profiles, a.strict);
    // In GitHub Actions each failed or warned profile is also an annotation (not for the
    // demo, whose broken profiles are broken on purpose).
    if report::annotations::enabled() {
        eprint!("{}", report::annotations::render(&report));
    }
    emit(&report, a.format, a.output.as_deref(), g.quiet)
}

/// In a terminal, offer to sign in to interactive profiles that have no stored login,
/// before the tests run. Without a terminal nothing is asked: those profiles fail with
/// `interactive` (exit 8) and the command to run.
fn offer_logins(g: &Global, items: &[Item], store: Option<&crate::store::Store>) {
    use std::io::{BufRead, IsTerminal, Write};
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return;
    }
    for item in items {
        let Item::Ready(p) = item else { continue };
        if crate::login::parts(p).is_none()
            || store.is_some_and(|s| s.read_for(&crate::store::key(p), p, None).is_some())
        {
            continue;
        }
        eprint!(
            "{} needs a sign-in in a browser first. Sign in now? [Y/n] ",
            p.display_name()
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() || answer.trim().eq_ignore_ascii_case("n") {
            continue;
        }
        let args = crate::cli::LoginArgs {
            profile: p.display_name(),
            no_browser: false,
            device: false,
            timeout: None,
        };
        let _ = super::login::run(g, &args);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicked_test_fails_its_own_profile_as_internal_and_the_run_exits_70() {
        let who = (
            "api".to_string(),
            Some("prod".to_string()),
            "rest".to_string(),
            "api-key".to_string(),
        );
        let p = internal_failure(who, "task panicked");
        assert_eq!((p.profile.as_str(), p.category), ("api", Category::Internal));
        let r = Report::new(String::new(), 0, vec![p], false);
        assert_eq!(r.exit_code, crate::exit::INTERNAL);
        let json: serde_json::Value = serde_json::from_str(&report::json::render(&r)).unwrap();
        assert_eq!(json["exit_code"], 70);
        assert_eq!(json["profiles"][0]["category"], "internal");
        assert_eq!(json["profiles"][0]["exit_code"], 70);
    }
}
