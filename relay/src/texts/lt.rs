//! Lithuanian. Channel and shop names stay in the nominative, so the sentences are built to
//! need no case ending on them ("per Telegram", "{shop} paskyra").

use super::{BotWords, Catalogue, ChatWords, Commands, InlineWords, WidgetWords};

pub(super) const LT: Catalogue = Catalogue {
    widget: WidgetWords {
        launcher: "Parašykite mums",
        title: "Tęskite savo pokalbių programėlėje",
        subtitle: "Gaukite užsakymų naujienas ir {shop} atsakymus programėlėje, kurią jau \
                   naudojate.",
        footer: "Atsisakyti galite bet kada – atsakykite STABDYTI.",
        close: "Uždaryti",
        inline: InlineWords {
            title: "Gaukite užsakymo naujienas per {channels}",
            subscribed: "Naujienas gausite per {channels}",
            or: "ar",
            and: "ir",
            order: "{shop} ten praneš apie kiekvieną užsakymo {order} etapą.",
            linked_to: "Susieta su paskyra {customer}",
            add_another: "Pridėti kitą programėlę",
            scan: "Nuskaitykite telefonu",
        },
        chat: ChatWords {
            open: "Parašykite mums",
            placeholder: "Rašykite žinutę…",
            send: "Siųsti",
            sending: "Siunčiama…",
            failed: "Neišsiųsta.",
            retry: "Kartoti",
            online: "Paprastai atsakome per kelias minutes.",
            away: "Šiuo metu nedirbame. Tęskite savo pokalbių programėlėje – atsakysime ten.",
            continue_in: "Arba tęskite pokalbių programėlėje",
            continued: "Tęsiama per {channel}",
            open_channel: "Atidaryti {channel}",
            you: "Jūs",
            unread: "Naujų žinučių: {count}",
        },
    },
    whatsapp_prefill: "Sveiki, {shop}! Norėčiau čia gauti naujienas. (ref {code})",
    bot: BotWords {
        hello: "Sveiki!",
        hello_name: "Sveiki, {name}!",
        welcome: "{hello} Užsiprenumeravote {shop} naujienas per {channel}: užsakymų būsenas ir \
                  atsakymus į jūsų klausimus.\n\nNorėdami atsisakyti, bet kada atsakykite \
                  STABDYTI.",
        linked_note: "\n\nPranešimai apie paskyros {customer} užsakymus. Ne jūs? Atsakykite \
                      STABDYTI.",
        already_subscribed: "Čia jau gaunate {shop} naujienas. Norėdami atsisakyti, atsakykite \
                             STABDYTI.",
        unsubscribed: "Atsisakėte {shop} naujienų. Daugiau jums nerašysime. Norėdami vėl \
                       užsiprenumeruoti, atsakykite PRADĖTI.",
        linked: "Atlikta: šis pokalbis susietas su {shop} paskyra {customer}. Ne jūs? Atsakykite \
                 ATSIETI.",
        unlinked: "Šis pokalbis nebesusietas su jūsų {shop} paskyra. Prenumerata galioja toliau; \
                   norėdami atsisakyti, atsakykite STABDYTI.",
        nothing_linked: "Šis pokalbis nesusietas su jokia paskyra.",
        link_prompt: "Susiekite šį pokalbį su savo {shop} paskyra, kad čia gautumėte užsakymų \
                      naujienas. Nuoroda galioja 30 minučių.",
        link_button: "Susieti paskyrą",
        linking_unavailable: "Susieti paskyros iš pokalbio čia negalima.",
        recap_intro: "Jūsų pokalbis {shop} svetainėje:",
        recap_earlier: "… ir ankstesnių žinučių: {count}",
        recap_you: "Jūs",
    },
    commands: Commands {
        // Lithuanian keyboards are not always at hand, so the words also count without their
        // diacritics.
        stop: &["stabdyti", "atsisakyti"],
        start: &["pradėti", "pradeti"],
        unlink: &["atsieti", "ne aš", "ne as"],
        link: &["susieti"],
    },
};
