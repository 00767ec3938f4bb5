//! The merchant's customer a verified token vouched for, and how the bot names them.

use serde::{Deserialize, Serialize};

/// A customer account on the merchant's side, as their backend's JWT described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    /// The merchant's customer id (`sub`).
    pub id: String,
    /// `email` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// `name` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// `phone` claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub phone: Option<String>,
}

impl Customer {
    /// The account in a form safe to show to whoever holds the phone: `j***@example.com`,
    /// `***5678`, or a masked id. A forwarded link must not reveal whose account it is.
    pub fn masked(&self) -> String {
        if let Some((local, domain)) = self.email.as_deref().and_then(|e| e.split_once('@')) {
            let first: String = local.chars().take(1).collect();
            return format!("{first}***@{domain}");
        }
        if let Some(phone) = &self.phone {
            let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
            let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
            return format!("***{tail}");
        }
        let chars: Vec<char> = self.id.chars().collect();
        match chars.len() {
            0..=4 => "***".to_owned(),
            n => format!(
                "{}***{}",
                chars[..2].iter().collect::<String>(),
                chars[n - 2..].iter().collect::<String>()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(email: Option<&str>, phone: Option<&str>) -> Customer {
        Customer {
            id: "cus_8f3a91c2".into(),
            email: email.map(Into::into),
            name: None,
            phone: phone.map(Into::into),
        }
    }

    #[test]
    fn an_email_keeps_only_its_first_letter_and_domain() {
        assert_eq!(
            customer(Some("john.doe@example.com"), None).masked(),
            "j***@example.com"
        );
    }

    #[test]
    fn a_phone_keeps_its_last_four_digits() {
        assert_eq!(
            customer(None, Some("+49 151 1234 5678")).masked(),
            "***5678"
        );
    }

    #[test]
    fn an_id_alone_is_masked_in_the_middle() {
        assert_eq!(customer(None, None).masked(), "cu***c2");
    }
}
