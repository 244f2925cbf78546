//! Interface strings (skip link, footer label…) in each language of the one language table,
//! and the `lang` attribute's tag.

use visions_domain::locale::{Language, canonical_tag};

/// Renderer-owned words, in the page's language where we have it.
pub(crate) struct Strings {
    pub(crate) skip: &'static str,
    pub(crate) popular: &'static str,
    pub(crate) footer_nav: &'static str,
    pub(crate) untitled: &'static str,
    pub(crate) phone: &'static str,
    pub(crate) email: &'static str,
    pub(crate) address: &'static str,
    pub(crate) hours: &'static str,
    /// Shown when the contact form was sent (the form endpoint sends the visitor back to
    /// `#message-sent`).
    pub(crate) sent: &'static str,
}

pub(crate) const EN: Strings = Strings {
    skip: "Skip to content",
    popular: "Most popular",
    footer_nav: "Footer",
    untitled: "Home",
    phone: "Phone",
    email: "Email",
    address: "Address",
    hours: "Opening hours",
    sent: "Thank you. Your message has been sent.",
};
pub(crate) const FR: Strings = Strings {
    skip: "Aller au contenu",
    popular: "Le plus choisi",
    footer_nav: "Pied de page",
    untitled: "Accueil",
    phone: "Téléphone",
    email: "E-mail",
    address: "Adresse",
    hours: "Horaires",
    sent: "Merci. Votre message a bien été envoyé.",
};
pub(crate) const DE: Strings = Strings {
    skip: "Zum Inhalt springen",
    popular: "Am beliebtesten",
    footer_nav: "Fußzeile",
    untitled: "Startseite",
    phone: "Telefon",
    email: "E-Mail",
    address: "Adresse",
    hours: "Öffnungszeiten",
    sent: "Danke. Ihre Nachricht wurde gesendet.",
};
pub(crate) const ES: Strings = Strings {
    skip: "Saltar al contenido",
    popular: "Más popular",
    footer_nav: "Pie de página",
    untitled: "Inicio",
    phone: "Teléfono",
    email: "Correo",
    address: "Dirección",
    hours: "Horario",
    sent: "Gracias. Tu mensaje se ha enviado.",
};
pub(crate) const IT: Strings = Strings {
    skip: "Vai al contenuto",
    popular: "Il più scelto",
    footer_nav: "Piè di pagina",
    untitled: "Home",
    phone: "Telefono",
    email: "E-mail",
    address: "Indirizzo",
    hours: "Orari",
    sent: "Grazie. Il tuo messaggio è stato inviato.",
};
pub(crate) const PT: Strings = Strings {
    skip: "Ir para o conteúdo",
    popular: "Mais popular",
    footer_nav: "Rodapé",
    untitled: "Início",
    phone: "Telefone",
    email: "E-mail",
    address: "Morada",
    hours: "Horário",
    sent: "Obrigado. A sua mensagem foi enviada.",
};
pub(crate) const NL: Strings = Strings {
    skip: "Naar de inhoud",
    popular: "Meest gekozen",
    footer_nav: "Voettekst",
    untitled: "Home",
    phone: "Telefoon",
    email: "E-mail",
    address: "Adres",
    hours: "Openingstijden",
    sent: "Bedankt. Je bericht is verzonden.",
};

pub(crate) fn strings_for(lang: &str) -> &'static Strings {
    match Language::of(lang) {
        None | Some(Language::En) => &EN,
        Some(Language::Fr) => &FR,
        Some(Language::De) => &DE,
        Some(Language::Es) => &ES,
        Some(Language::It) => &IT,
        Some(Language::Pt) => &PT,
        Some(Language::Nl) => &NL,
    }
}

/// The page's `lang`: its locale as a canonical BCP 47 tag, `en` when it is not one.
pub(crate) fn language_tag(locale: &str) -> String {
    canonical_tag(locale).unwrap_or_else(|| "en".into())
}

/// `fr-FR` → `fr_FR`, the form Open Graph expects.
pub(crate) fn og_locale(lang: &str) -> Option<String> {
    let mut parts = lang.split('-');
    let language = parts.next()?;
    let region = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_uppercase()))?;
    Some(format!("{language}_{region}"))
}
