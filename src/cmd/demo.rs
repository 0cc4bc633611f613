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
    let svc = rt
        .block_on(FakeService::start(World::default()))
        .map_err(|e| Error::io("cannot start the demo service on 127.0.0.1", e))?;
    let cfg = Config::from_text(
        Path::new("(demo profiles)"),
        crate::demo::profiles::toml(&svc.base_url()),
    )?;
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
