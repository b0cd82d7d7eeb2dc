//! Where a resource lives when the console reads many accounts and regions at once (`--fleet`):
//! its name carries a place, `ACCOUNT@REGION:NAME` (`ecs:prod@us-east-1:app/api`,
//! `sm:staging@eu-west-1:ranker`, `lambda:prod@us-east-1:Tryon`). The place travels with the
//! name through every table, plan, audit record and runbook step, so an action goes to the account
//! and region of the row it came from, and the record says which one. A single-account session
//! never sees one.

/// A place and the bare name behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed<'a> {
    /// `ACCOUNT@REGION`, None for a bare name.
    pub place: Option<&'a str>,
    pub name: &'a str,
}

impl<'a> Placed<'a> {
    /// The account (alias or id) of the place.
    pub fn account(&self) -> Option<&'a str> {
        self.place.and_then(|p| p.split_once('@')).map(|(a, _)| a)
    }

    pub fn region(&self) -> Option<&'a str> {
        self.place.and_then(|p| p.split_once('@')).map(|(_, r)| r)
    }
}

/// Split `ACCOUNT@REGION:NAME`; a name without a valid place is bare (log groups start with `/`
/// and may hold colons, so only a well-formed place counts).
pub fn split(name: &str) -> Placed<'_> {
    if let Some((place, rest)) = name.split_once(':') {
        if valid_place(place) && !rest.is_empty() {
            return Placed { place: Some(place), name: rest };
        }
    }
    Placed { place: None, name }
}

/// `PLACE:NAME`.
pub fn join(place: &str, name: &str) -> String {
    format!("{place}:{name}")
}

/// `ACCOUNT@REGION` for an account label and a region.
pub fn place_of(account: &str, region: &str) -> String {
    format!("{account}@{region}")
}

/// An account label (alias, id or profile: letters, digits, `-`, `_`, `.`, up to 64) and a
/// region (`us-east-1`: lowercase letters, digits and `-`, up to 32), joined by `@`.
pub fn valid_place(place: &str) -> bool {
    let Some((account, region)) = place.split_once('@') else { return false };
    valid_account(account)
        && !region.is_empty()
        && region.len() <= 32
        && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// What may name an account in a place (the `alias` of `[[fleet.accounts]]` is checked with it).
pub fn valid_account(account: &str) -> bool {
    !account.is_empty()
        && account.len() <= 64
        && account.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_split_from_its_name_and_a_bare_name_stays_whole() {
        let p = split("prod@us-east-1:app");
        assert_eq!((p.place, p.name), (Some("prod@us-east-1"), "app"));
        assert_eq!((p.account(), p.region()), (Some("prod"), Some("us-east-1")));
        assert_eq!(split("app").place, None);
        // A log group with a colon is not a place.
        assert_eq!(split("/ecs/app:x").place, None);
        assert_eq!(split("PROD@US:x").place, None, "a region is lowercase");
        assert_eq!(split("prod@us-east-1:").place, None, "a place needs a name after it");
        assert_eq!(join("prod@us-east-1", "app"), "prod@us-east-1:app");
    }
}
