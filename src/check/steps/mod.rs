//! The step pipeline: each step is a small function over the shared [`Ctx`]; a step that
//! fails records its failure and returns [`Stop`], and [`Record::finish`] skips what is
//! left of the plan. The order is config → dns → connect → tls → discovery → token (or
//! refresh) → scopes → probe.

mod config;
mod discovery;
mod network;
mod probe;
mod scopes;
mod token;

use serde_json::{Map, Value};

use super::plan::Plan;
use super::run::{Record, Stop};
use super::{Obtained, Options, trace_fn};
use crate::config::{Net, Profile, Vendor};
use crate::net::Http;
use crate::report::ProfileReport;
use crate::secret::Secret;

/// What every step sees.
pub struct Ctx<'a> {
    /// The profile.
    pub p: &'a Profile,
    /// Shared HTTP state.
    pub http: &'a Http,
    /// How the run tests.
    pub opts: &'a Options,
    /// The plan.
    pub plan: Plan,
    /// Network settings, with the run's timeout applied.
    pub net: Net,
    /// The `-v` trace.
    pub trace: Box<dyn Fn(String) + Send + Sync>,
    /// What was found so far.
    pub rec: Record,
    /// The token obtained, for the token store.
    pub obtained: Option<Obtained>,
}

/// What the token step learned, for the scopes and probe steps.
#[derive(Default)]
pub struct Authed {
    /// The access token to send.
    pub bearer: Option<Secret>,
    /// Its decoded claims, when it is a JWT.
    pub claims: Option<Map<String, Value>>,
    /// The scopes the server said it granted.
    pub granted: Option<Vec<String>>,
}

impl<'a> Ctx<'a> {
    /// The context of one profile's test.
    pub fn new(p: &'a Profile, http: &'a Http, opts: &'a Options) -> Ctx<'a> {
        let mut net = p.net.clone();
        if let Some(t) = opts.timeout {
            net.timeout = t;
        }
        Ctx {
            p,
            http,
            opts,
            plan: Plan::of(p, opts),
            net,
            trace: Box::new(trace_fn(p, opts.verbose)),
            rec: Record::new(),
            obtained: None,
        }
    }

    /// The report, and the token obtained.
    pub fn finish(self, outcome: Result<String, Stop>) -> (ProfileReport, Option<Obtained>) {
        (self.rec.finish(self.p, &self.plan, outcome), self.obtained)
    }
}

/// Run the steps in order; the first failure stops the run.
pub async fn run(cx: &mut Ctx<'_>) -> Result<String, Stop> {
    let setup = config::run(cx).await?;
    network::run(cx, &setup).await?;
    discovery::run(cx, &setup).await?;
    let authed = token::run(cx, &setup).await?;
    scopes::run(cx, &authed)?;
    let pass_summary = probe::run(cx, &setup, authed).await?;
    Ok(match &cx.p.vendor {
        Vendor::Hypatos => format!("Hypatos accepted the service account; {pass_summary}"),
        Vendor::Hypergene { entra: Some(_), .. } => format!("Entra issued a token for Portfolios; {pass_summary}"),
        _ => pass_summary,
    })
}

/// Milliseconds since `t`.
fn ms(t: std::time::Instant) -> u64 {
    t.elapsed().as_millis() as u64
}
