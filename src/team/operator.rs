//! Who an operator is, to the rest of the team: the credentials' identity (STS caller ARN), the
//! OS user and host, and the session (a terminal): two terminals of one person are two holders.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub arn: String,
    pub user: String,
    pub host: String,
    /// `OPSDECK_SESSION`, else the terminal on stdin, else the parent process (the shell).
    pub session: String,
}

impl Operator {
    /// This process's operator, with the ARN read from the backend's credentials.
    pub fn here(arn: String) -> Operator {
        let user = crate::incident::local_user();
        let host = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".into());
        let session = std::env::var("OPSDECK_SESSION")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("{user}@{host}:{}", terminal()));
        Operator { arn, user, host, session }
    }

    /// `user@host`, as the timeline and a lease's holder show it.
    pub fn at(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }

    /// "ARN (user@host)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.arn, self.at())
    }

    /// The account id in the ARN (`arn:aws:sts::123456789012:assumed-role/...`), if it has one.
    pub fn account(&self) -> Option<&str> {
        self.arn.split(':').nth(4).filter(|a| !a.is_empty())
    }

    /// The same person on the same host (a manual lease is released by its person, from any terminal).
    pub fn same_person(&self, other: &Operator) -> bool {
        self.arn == other.arn && self.user == other.user && self.host == other.host
    }
}

/// The terminal this runs in: the tty on stdin, else the parent process (the shell that ran it).
fn terminal() -> String {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        if let Ok(tty) = std::fs::read_link("/proc/self/fd/0") {
            return tty.display().to_string();
        }
    }
    format!("ppid-{}", std::os::unix::process::parent_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_names_account_and_person() {
        let a = Operator {
            arn: "arn:aws:sts::123456789012:assumed-role/oncall/alice".into(),
            user: "alice".into(),
            host: "bastion-1".into(),
            session: "alice@bastion-1:/dev/pts/3".into(),
        };
        assert_eq!(a.account(), Some("123456789012"));
        assert_eq!(a.describe(), "arn:aws:sts::123456789012:assumed-role/oncall/alice (alice@bastion-1)");
        let other_terminal = Operator { session: "alice@bastion-1:/dev/pts/4".into(), ..a.clone() };
        assert!(a.same_person(&other_terminal));
        assert_ne!(a, other_terminal);
        assert_eq!(Operator { arn: "demo".into(), ..a }.account(), None);
    }
}
