//! Where a page's calls to action go: the brief's own links by what they are for, then its
//! phone, then its email, and the page's contact form when the brief gives no way to reach
//! the business. Never an anchor that leads nowhere, never a button pointing at its own section.

use serde::{Deserialize, Serialize};

use crate::{BriefFacts, LinkKind};

/// What the visitor does by clicking; decides the button's label and what the page says
/// happens next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Booking,
    Demo,
    Shop,
    Tickets,
    App,
    Donate,
    Enrol,
    Website,
    Phone,
    Email,
    /// The contact form on the page (`#contact`).
    Form,
}

impl ActionKind {
    /// The phrasebook's name for it (`cta.label.booking`, `cta.after.booking`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booking => "booking",
            Self::Demo => "demo",
            Self::Shop => "shop",
            Self::Tickets => "tickets",
            Self::App => "app",
            Self::Donate => "donate",
            Self::Enrol => "enrol",
            Self::Website => "website",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Form => "form",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub kind: ActionKind,
    pub href: String,
}

/// The id of the contact section, where the form lives.
pub const CONTACT_ANCHOR: &str = "#contact";

impl BriefFacts {
    /// Every target the brief gives, best first; the contact form closes the list.
    pub fn actions(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        for kind in [
            LinkKind::Booking,
            LinkKind::Demo,
            LinkKind::Shop,
            LinkKind::AppStore,
            LinkKind::Other,
            LinkKind::Website,
        ] {
            for link in self.urls.iter().filter(|l| l.kind == kind) {
                let lower = link.url.to_lowercase();
                let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
                let kind = match link.kind {
                    LinkKind::Booking => ActionKind::Booking,
                    LinkKind::Demo => ActionKind::Demo,
                    LinkKind::Shop
                        if has(&["ticket", "billet", "entrada", "karten", "hoffest"]) =>
                    {
                        ActionKind::Tickets
                    }
                    LinkKind::Shop => ActionKind::Shop,
                    LinkKind::AppStore => ActionKind::App,
                    LinkKind::Other
                        if has(&["donat", "give", "spend", "dona", "helloasso", "gofundme"]) =>
                    {
                        ActionKind::Donate
                    }
                    LinkKind::Other => ActionKind::Enrol,
                    LinkKind::Website => ActionKind::Website,
                };
                actions.push(Action {
                    kind,
                    href: link.href(),
                });
            }
        }
        for phone in &self.phones {
            actions.push(Action {
                kind: ActionKind::Phone,
                href: visions_domain::text::tel_uri(phone),
            });
        }
        for email in &self.emails {
            actions.push(Action {
                kind: ActionKind::Email,
                href: format!("mailto:{email}"),
            });
        }
        actions.push(Action {
            kind: ActionKind::Form,
            href: CONTACT_ANCHOR.to_owned(),
        });
        actions
    }

    /// Every href a page built from these facts may link outside itself: the brief's links,
    /// phones and emails.
    pub fn allowed_hrefs(&self) -> Vec<String> {
        self.actions()
            .into_iter()
            .filter(|a| a.kind != ActionKind::Form)
            .map(|a| a.href)
            .collect()
    }
}

/// A dialable `tel:` URI: the digits, with a leading `+` kept.
pub fn tel(phone: &str) -> String {
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("tel:{plus}{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, extract};

    fn kinds(brief: &str) -> Vec<(ActionKind, String)> {
        extract(brief, Context::default())
            .actions()
            .into_iter()
            .map(|a| (a.kind, a.href))
            .collect()
    }

    #[test]
    fn links_first_then_phone_email_and_the_form() {
        assert_eq!(
            kinds(
                "Dental clinic. Call (512) 555-0187, book at brightsmile.com/book or email hi@brightsmile.com."
            ),
            [
                (ActionKind::Booking, "https://brightsmile.com/book".into()),
                (ActionKind::Phone, "tel:5125550187".into()),
                (ActionKind::Email, "mailto:hi@brightsmile.com".into()),
                (ActionKind::Form, "#contact".into()),
            ]
        );
        assert_eq!(
            kinds("A bakery in Portland."),
            [(ActionKind::Form, "#contact".into())]
        );
        assert_eq!(
            kinds("Tickets: https://fest.example.com/tickets")[0].0,
            ActionKind::Tickets
        );
        assert_eq!(kinds("Ring +44 1263 740 512")[0].1, "tel:+441263740512");
    }
}
