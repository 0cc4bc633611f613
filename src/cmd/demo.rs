//! `conn demo`: start the built-in fake service on 127.0.0.1, test the demo profiles against
//! it exactly as `conn test --all` would, and print the report. Needs no account and no
//! network; exits 0 when the demo ran, whatever the profiles found.

use std::path::Path;
use std::time::Instant;

use crate::check::Options;
use crate::cli::{DemoArgs, Global};
use crate::config::Config;
use crate::demo::fake::{FakeService, World};
use crate::error::Error;
use crate::report::Report;

/// Run the demo.
pub fn run(g: &Global, a: &DemoArgs) -> Result<u8, Error> {
    let rt = super::test::runtime()?;
    // The certificate profiles' files: made for this run, removed with the directory.
    let dir = tempfile::tempdir().map_err(|e| Error::io("cannot make a directory for the demo certificates", e))?;
    let made = |name: &str, cn: &str| {
        crate::demo::cert::make(dir.path(), name, cn, 365)
            .map_err(|e| Error::io("cannot make the demo certificates", std::io::Error::other(e)))
    };
    let (good, other) = (
        made("portfolios", "conn-demo-portfolios")?,
        made("not-uploaded", "conn-demo-other")?,
    );
    let mut world = World::default();
    world.entra_tenants[0].apps[0].certificates.push(good.der.clone());
    let svc = rt
        .block_on(FakeService::start(world))
        .map_err(|e| Error::io("cannot start the demo service on 127.0.0.1", e))?;
    let shown = |p: &std::path::Path| p.display().to_string();
    let text = crate::demo::profiles::toml(&svc.base_url())
        + &crate::demo::profiles::certificates(
            &svc.base_url(),
            &shown(&good.cert),
            &shown(&good.key),
            &shown(&other.cert),
            &shown(&other.key),
        );
    let cfg = Config::from_text(Path::new("(demo profiles)"), text)?;
    let sel = super::test::selection(&cfg, &[], true, &[], None)?;
    eprintln!(
        "conn demo: a local service at {} plays Hypatos, Entra with Hypergene Portfolios, and a REST API.\n\
         {} profiles follow, some healthy and some broken the way real ones break.\n",
        svc.base_url(),
        sel.len()
    );
    let items = super::test::prepare(&cfg, sel);
    let opts = Options {
        verbose: g.verbose,
        ..Options::default()
    };
    let started_at = super::test::now_rfc3339();
    let t = Instant::now();
    let progress = crate::progress::Progress::start(items.len(), g.quiet || g.verbose);
    let tick = progress.tick();
    let done = move |r: &crate::report::ProfileReport,
                     _: Option<&crate::check::Obtained>,
                     _: &crate::config::Profile| { tick.done(r.status == crate::report::Status::Fail) };
    let profiles = rt.block_on(super::test::run_all(items, opts, 16, done));
    progress.finish();
    let report = Report::new(started_at, t.elapsed().as_millis() as u64, profiles, false);
    super::test::emit(&report, a.format, None, g.quiet)?;
    drop(svc);
    Ok(0)
}
