//! `insert_intent`, `replace_intent`, `find_intent`, and the subscribers an intent attributes
//! after they arrived.

use ferry_relay::{
    domain::ChannelKind,
    store::{AccountChange, Commit, Effects, LinkVia},
};

use crate::support::{
    Backend, SITE, T0, attribution, create_with, customer, intent, on_both_backends, step,
};

on_both_backends!(
    a_new_intent_is_stored_and_found_by_its_ref,
    an_intent_holding_the_ref_already_is_returned_unchanged,
    replacing_an_intent_swaps_only_the_one_expected_and_unspends_its_link,
    a_stored_intent_attributes_the_subscribers_who_arrived_before_it,
    a_replacing_intent_attributes_waiting_subscribers_too,
    a_batch_of_refs_is_looked_up_at_once,
);

async fn a_new_intent_is_stored_and_found_by_its_ref(b: Backend) {
    // Arrange
    let mut vouched = intent("spring-ref-0001", T0, "spring");
    vouched.customer = Some(customer("cus_ann"));
    vouched.order_id = Some("NW-1042".into());

    // Act
    let existing = b.store.insert_intent(&vouched).await.unwrap();

    // Assert
    assert_eq!(existing, None);
    let found = b
        .store
        .find_intent(SITE, ChannelKind::Telegram, "spring-ref-0001")
        .await
        .unwrap();
    assert_eq!(found, Some(vouched));
    assert_eq!(
        b.store
            .find_intent(SITE, ChannelKind::Whatsapp, "spring-ref-0001")
            .await
            .unwrap(),
        None
    );
}

async fn an_intent_holding_the_ref_already_is_returned_unchanged(b: Backend) {
    // Arrange
    let first = intent("spring-ref-0001", T0, "spring");
    b.store.insert_intent(&first).await.unwrap();

    // Act
    let existing = b
        .store
        .insert_intent(&intent("spring-ref-0001", T0 + 1, "autumn"))
        .await
        .unwrap();

    // Assert
    assert_eq!(existing, Some(first.clone()));
    let stored = b
        .store
        .find_intent(SITE, ChannelKind::Telegram, "spring-ref-0001")
        .await
        .unwrap();
    assert_eq!(stored, Some(first));
}

async fn replacing_an_intent_swaps_only_the_one_expected_and_unspends_its_link(b: Backend) {
    // Arrange: the old intent's ref was linked
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let mut linked = Effects::about(create_with("1001", T0, None, None));
    linked.account = AccountChange::Link {
        customer: customer("cus_ann"),
        via: LinkVia::Ref("spring-ref-0001".into()),
    };
    b.apply(linked, T0).await;
    let newer = intent("spring-ref-0001", T0 + 100, "autumn");

    // Act
    let stale = b.store.replace_intent(T0 - 1, &newer).await.unwrap();
    let replaced = b.store.replace_intent(T0, &newer).await.unwrap();
    let twice = b.store.replace_intent(T0, &newer).await.unwrap();

    // Assert
    assert!(!stale);
    assert!(replaced);
    assert!(!twice);
    let stored = b
        .store
        .find_intent(SITE, ChannelKind::Telegram, "spring-ref-0001")
        .await
        .unwrap();
    assert_eq!(stored, Some(newer));
}

async fn a_stored_intent_attributes_the_subscribers_who_arrived_before_it(b: Backend) {
    // Arrange: Ann's message beat the widget's request; Bo came with the ref on WhatsApp;
    // Cy was attributed already
    let mut ann = Effects::about(create_with("1001", T0, Some("spring-ref-0001"), None));
    ann.events.push(step("subscribed", Some("spring-ref-0001")));
    ann.events.push(step("message", None));
    let ann = b.apply(ann, T0).await;
    let bo = b
        .store
        .apply(
            SITE,
            ChannelKind::Whatsapp,
            Effects::about(create_with(
                "60173526233",
                T0,
                Some("spring-ref-0001"),
                None,
            )),
            T0,
        )
        .await
        .unwrap();
    let cy = b
        .apply(
            Effects::about(create_with(
                "1003",
                T0,
                Some("spring-ref-0001"),
                Some(attribution("winter")),
            )),
            T0,
        )
        .await;

    // Act
    b.store
        .insert_intent(&intent("spring-ref-0001", T0 + 50, "spring"))
        .await
        .unwrap();

    // Assert
    let ann = b.store.get_subscriber(SITE, ann).await.unwrap().unwrap();
    assert_eq!(ann.attribution, Some(attribution("spring")));
    let Commit::Done(Some(bo)) = bo else {
        panic!("created")
    };
    let bo = b.store.get_subscriber(SITE, bo).await.unwrap().unwrap();
    assert_eq!(bo.attribution, None);
    let cy = b.store.get_subscriber(SITE, cy).await.unwrap().unwrap();
    assert_eq!(cy.attribution, Some(attribution("winter")));
    let spring = "attribution ->> 'utm_campaign' = 'spring'";
    assert_eq!(
        b.count("events", &format!("kind = 'subscribed' AND {spring}"))
            .await,
        1
    );
    assert_eq!(
        b.count("events", "kind = 'message' AND attribution IS NULL")
            .await,
        1
    );
}

async fn a_replacing_intent_attributes_waiting_subscribers_too(b: Backend) {
    // Arrange: an expired intent, then Ann arrives with its ref before the new visit lands
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let ann = b
        .apply(
            Effects::about(create_with("1001", T0 + 10, Some("spring-ref-0001"), None)),
            T0 + 10,
        )
        .await;

    // Act
    let replaced = b
        .store
        .replace_intent(T0, &intent("spring-ref-0001", T0 + 20, "autumn"))
        .await
        .unwrap();

    // Assert
    assert!(replaced);
    let ann = b.store.get_subscriber(SITE, ann).await.unwrap().unwrap();
    assert_eq!(ann.attribution, Some(attribution("autumn")));
}

async fn a_batch_of_refs_is_looked_up_at_once(b: Backend) {
    // Arrange
    for reference in ["spring-ref-0001", "spring-ref-0002"] {
        b.store
            .insert_intent(&intent(reference, T0, "spring"))
            .await
            .unwrap();
    }
    let asked: Vec<String> = ["spring-ref-0002", "never-registered", "spring-ref-0001"]
        .map(String::from)
        .into();

    // Act
    let found = b
        .store
        .find_intents(SITE, ChannelKind::Telegram, &asked)
        .await
        .unwrap();
    let on_whatsapp = b
        .store
        .find_intents(SITE, ChannelKind::Whatsapp, &asked)
        .await
        .unwrap();

    // Assert
    let mut refs: Vec<&str> = found.iter().map(|i| i.reference.as_str()).collect();
    refs.sort_unstable();
    assert_eq!(refs, ["spring-ref-0001", "spring-ref-0002"]);
    assert!(on_whatsapp.is_empty());
}
