//! What a profile's test will do, fixed once before it starts: the steps in order, the
//! origins the pre-flight checks, and the stored login an interactive profile is tested with
//! (read once its credentials are resolved: an entry is used only when it is the profile's
//! and was obtained with those credentials, see [`crate::store::Store::read_for`]).

use url::Url;

use super::Options;
use crate::config::{Auth, Entra, Probe, Profile, Vendor};
use crate::report::StepName;
use crate::store::Entry;

/// The plan of one profile's test.
pub struct Plan {
    /// The steps, in the order they run (`config` is implied: it shows only when it fails).
    pub steps: Vec<StepName>,
    /// The Entra tenant pre-flight, when the profile has one: the tenant and its URL.
    pub discovery: Option<(Entra, Url)>,
    /// An interactive profile: tested by refreshing its stored login.
    pub interactive: bool,
    /// The stored login of an interactive profile, when there is a usable one (set by
    /// [`Plan::read_stored`]).
    pub stored: Option<Entry>,
    /// The URLs whose origins the pre-flight checks, in order (duplicates allowed).
    pub origins: Vec<Url>,
}

impl Plan {
    /// The plan for `p` under `opts`.
    pub fn of(p: &Profile, opts: &Options) -> Plan {
        let oauth = p.auth.oauth();
        let entra = match &p.vendor {
            Vendor::Hypergene { entra: Some(e), .. } => Some(e.clone()),
            _ => None,
        };
        let discovery = entra.and_then(|e| e.discovery_url().map(|u| (e, u)));
        let interactive = matches!(p.auth, Auth::Interactive { .. });
        let mut steps: Vec<StepName> = vec![StepName::Dns, StepName::Connect, StepName::Tls];
        if discovery.is_some() {
            steps.push(StepName::Discovery);
        }
        if oauth.is_some() {
            steps.extend([
                if interactive {
                    StepName::Refresh
                } else {
                    StepName::Token
                },
                StepName::Scopes,
            ]);
        }
        steps.push(StepName::Probe);
        let origins = origins(p, opts, discovery.as_ref().map(|(_, u)| u));
        Plan {
            steps,
            discovery,
            interactive,
            stored: None,
            origins,
        }
    }

    /// Read an interactive profile's stored login, trusted only when it is `p`'s and was
    /// obtained with the credentials of fingerprint `credentials`.
    pub fn read_stored(&mut self, p: &Profile, opts: &Options, credentials: &str) {
        self.stored = self
            .interactive
            .then(|| {
                opts.store
                    .as_ref()
                    .and_then(|st| st.read_for(&crate::store::key(p), p, Some(credentials)))
            })
            .flatten()
            .filter(|e| e.refresh_token.is_some() || e.valid_for(crate::clock::now_secs(), 60));
    }
}

/// Every origin the test will talk to.
fn origins(p: &Profile, opts: &Options, discovery: Option<&Url>) -> Vec<Url> {
    let oauth = p.auth.oauth();
    let mut origins: Vec<Url> = Vec::new();
    // The profile's token URL (for an issuer, the issuer stands in), never the one a stored
    // entry records: the store may hold an entry someone else planted, and even the pre-flight
    // must not be sent where it says.
    if let Some(c) = oauth {
        origins.push(c.token_url.clone());
    }
    if let Some(u) = discovery {
        origins.push(u.clone());
    }
    if !opts.no_probe {
        match p.probe_url() {
            Some(u) => origins.push(u),
            None if matches!(p.vendor, Vendor::Hypatos) && p.probe == Probe::Auto => origins.push(p.api_base.clone()),
            None if oauth.is_none() => origins.push(p.api_base.clone()),
            None => {}
        }
    }
    origins
}
