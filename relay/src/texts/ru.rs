//! Russian.

use super::{BotWords, Catalogue, ChatWords, Commands, InlineWords, WidgetWords};

pub(super) const RU: Catalogue = Catalogue {
    widget: WidgetWords {
        launcher: "Написать нам",
        title: "Продолжить в мессенджере",
        subtitle: "Статусы заказов и ответы {shop} — в приложении, которым вы уже пользуетесь.",
        footer: "Отписаться можно в любой момент: ответьте СТОП.",
        close: "Закрыть",
        inline: InlineWords {
            title: "Получайте новости о заказе в {channels}",
            subscribed: "Вы будете получать новости в {channels}",
            or: "или",
            and: "и",
            order: "{shop} сообщит там о каждом шаге заказа {order}.",
            linked_to: "Привязано к аккаунту {customer}",
            add_another: "Добавить другой мессенджер",
            scan: "Отсканируйте телефоном",
        },
        chat: ChatWords {
            open: "Написать нам",
            placeholder: "Напишите сообщение…",
            send: "Отправить",
            sending: "Отправляется…",
            failed: "Не отправлено.",
            retry: "Повторить",
            online: "Обычно отвечаем за несколько минут.",
            away: "Сейчас нас нет на месте. Продолжите в мессенджере, и мы ответим вам там.",
            continue_in: "Или продолжите в мессенджере",
            continued: "Продолжено в {channel}",
            open_channel: "Открыть {channel}",
            you: "Вы",
            unread: "Новых сообщений: {count}",
        },
    },
    whatsapp_prefill: "Здравствуйте, {shop}! Хочу получать сообщения здесь. (ref {code})",
    bot: BotWords {
        hello: "Здравствуйте!",
        hello_name: "Здравствуйте, {name}!",
        welcome: "{hello} Вы подписались на сообщения {shop} в {channel}: статусы заказов и \
                  ответы на ваши вопросы.\n\nЧтобы отписаться, ответьте СТОП.",
        linked_note: "\n\nСообщения о заказах аккаунта {customer}. Это не вы? Ответьте СТОП.",
        already_subscribed: "Вы уже подписаны на сообщения {shop} здесь. Чтобы отписаться, \
                             ответьте СТОП.",
        unsubscribed: "Вы отписались от сообщений {shop}. Больше мы не напишем. Чтобы \
                       подписаться снова, ответьте СТАРТ.",
        linked: "Готово: этот чат связан с аккаунтом {customer} в {shop}. Это не вы? Ответьте \
                 ОТВЯЗАТЬ.",
        unlinked: "Чат отвязан от аккаунта {shop}. Подписка остаётся; чтобы отписаться, \
                   ответьте СТОП.",
        nothing_linked: "Этот чат не связан ни с каким аккаунтом.",
        link_prompt: "Свяжите этот чат с аккаунтом {shop}, чтобы получать статусы заказов. \
                      Ссылка действует 30 минут.",
        link_button: "Связать аккаунт",
        linking_unavailable: "Связать аккаунт из чата пока нельзя.",
        recap_intro: "Ваш разговор на сайте {shop}:",
        recap_earlier: "… и ещё более ранних сообщений: {count}",
        recap_you: "Вы",
    },
    commands: Commands {
        stop: &["стоп", "отписаться"],
        start: &["старт", "подписаться"],
        unlink: &["отвязать"],
        link: &["связать"],
    },
};
