//! The inline block's words in English and Russian, picked by the site's locale.
//!
//! The relay's config carries the floating panel's texts; until it also carries these, they live
//! here. Channel names are product names and stay untranslated. Pure functions, so the host
//! tests pin the sentences.

/// One language's phrases; the sentences with names in them are built by the methods below.
pub(crate) struct Words {
    title: &'static str,
    or: &'static str,
    subscribed: &'static str,
    and: &'static str,
    order: [&'static str; 3],
    /// Before the masked customer under "You'll get updates in …".
    pub linked_to: &'static str,
    /// The button that reveals the channels a subscribed customer does not use yet.
    pub add_another: &'static str,
    /// The line above the QR codes.
    pub scan: &'static str,
}

const EN: Words = Words {
    title: "Get order updates in ",
    or: " or ",
    subscribed: "You'll get updates in ",
    and: " and ",
    order: ["", " will message you there at every step of order ", "."],
    linked_to: "Linked to ",
    add_another: "Add another messenger",
    scan: "Scan with your phone",
};

const RU: Words = Words {
    title: "Получайте новости о заказе в ",
    or: " или ",
    subscribed: "Вы будете получать новости в ",
    and: " и ",
    order: ["", " сообщит там о каждом шаге заказа ", "."],
    linked_to: "Привязано к аккаунту ",
    add_another: "Добавить другой мессенджер",
    scan: "Отсканируйте телефоном",
};

/// The phrases for a BCP 47 locale; English unless it is Russian.
pub(crate) fn words(locale: &str) -> &'static Words {
    let lang = locale.split(['-', '_']).next().unwrap_or_default();
    if lang.eq_ignore_ascii_case("ru") {
        &RU
    } else {
        &EN
    }
}

impl Words {
    /// "Get order updates in Telegram, WhatsApp or Messenger".
    pub(crate) fn title(&self, names: &[&str]) -> String {
        format!("{}{}", self.title, list(names, self.or))
    }

    /// "You'll get updates in Telegram and WhatsApp".
    pub(crate) fn subscribed(&self, names: &[&str]) -> String {
        format!("{}{}", self.subscribed, list(names, self.and))
    }

    /// "Northwind Coffee will message you there at every step of order NW-1042."
    pub(crate) fn order(&self, shop: &str, order: &str) -> String {
        let [before, middle, after] = self.order;
        format!("{before}{shop}{middle}{order}{after}")
    }
}

/// "A", "A or B", "A, B or C".
fn list(names: &[&str], last: &str) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., tail] => format!("{}{last}{tail}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_sentences() {
        let en = words("en-GB");
        assert_eq!(en.title(&["Telegram"]), "Get order updates in Telegram");
        assert_eq!(
            en.title(&["Telegram", "WhatsApp", "Messenger"]),
            "Get order updates in Telegram, WhatsApp or Messenger"
        );
        assert_eq!(
            en.subscribed(&["Telegram", "WhatsApp"]),
            "You'll get updates in Telegram and WhatsApp"
        );
        assert_eq!(
            en.order("Northwind Coffee", "NW-1042"),
            "Northwind Coffee will message you there at every step of order NW-1042."
        );
    }

    #[test]
    fn russian_is_picked_by_language_not_region() {
        for locale in ["ru", "ru-RU", "RU_ua"] {
            assert_eq!(words(locale).add_another, "Добавить другой мессенджер");
        }
        assert_eq!(
            words("ru").title(&["Telegram", "WhatsApp"]),
            "Получайте новости о заказе в Telegram или WhatsApp"
        );
        for locale in ["", "en", "de", "rus"] {
            assert_eq!(words(locale).scan, "Scan with your phone");
        }
    }
}
