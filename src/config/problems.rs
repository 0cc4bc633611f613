//! A list of problems in the order found, each reported once: a set remembers what is in
//! the list, so collecting stays linear however many problems a file has.

use std::collections::HashSet;

use super::Problem;

/// Problems in the order found, without duplicates.
#[derive(Default)]
pub struct ProblemSet {
    list: Vec<Problem>,
    seen: HashSet<Problem>,
}

impl ProblemSet {
    /// Add `p` unless the same problem is already listed.
    pub fn push(&mut self, p: Problem) {
        if !self.seen.contains(&p) {
            self.seen.insert(p.clone());
            self.list.push(p);
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems, in the order found.
    pub fn into_vec(self) -> Vec<Problem> {
        self.list
    }
}

impl From<Vec<Problem>> for ProblemSet {
    fn from(v: Vec<Problem>) -> ProblemSet {
        let mut set = ProblemSet::default();
        for p in v {
            set.push(p);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_drops_repeats() {
        let p = |m: &str| Problem {
            span: Some(1..2),
            path: "x".into(),
            message: m.into(),
            help: None,
        };
        let mut s = ProblemSet::from(vec![p("a"), p("b"), p("a")]);
        s.push(p("b"));
        s.push(p("c"));
        let got: Vec<String> = s.into_vec().into_iter().map(|p| p.message).collect();
        assert_eq!(got, ["a", "b", "c"]);
    }
}
