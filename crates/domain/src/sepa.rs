//! The SEPA credit transfer file (ISO 20022 `pain.001.001.03`) for EUR bank
//! payments: one payment information block, one transaction per partner.
//! Text fields are reduced to the SEPA character set (banks reject others).

use rust_decimal::Decimal;
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct Debtor {
    pub name: String,
    pub iban: String,
    /// Without one the agent is written as `NOTPROVIDED` (IBAN-only, allowed in SEPA).
    pub bic: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Transfer {
    /// Unique per message, at most 35 characters.
    pub end_to_end_id: String,
    pub amount: Decimal,
    pub creditor_name: String,
    pub creditor_iban: String,
    pub creditor_bic: Option<String>,
    pub remittance: String,
}

#[derive(Debug, Clone)]
pub struct CreditTransfer {
    pub message_id: String,
    /// `YYYY-MM-DDTHH:MM:SS`
    pub created_at: String,
    /// `YYYY-MM-DD`
    pub execution_date: String,
    pub debtor: Debtor,
    pub transfers: Vec<Transfer>,
}

/// The SEPA Latin character set: letters and digits, space and `/ - ? : ( ) . , ' +`.
/// Accented letters lose their accent; anything else becomes a space.
pub fn sepa_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let mapped: &str = match c {
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '/'
            | '-'
            | '?'
            | ':'
            | '('
            | ')'
            | '.'
            | ','
            | '\''
            | '+' => {
                out.push(c);
                continue;
            }
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
            'ç' | 'ć' | 'č' => "c",
            'Ç' | 'Ć' | 'Č' => "C",
            'ď' | 'đ' => "d",
            'Ď' | 'Đ' => "D",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' => "I",
            'ľ' | 'ĺ' | 'ł' => "l",
            'Ľ' | 'Ĺ' | 'Ł' => "L",
            'ñ' | 'ń' | 'ň' => "n",
            'Ñ' | 'Ń' | 'Ň' => "N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' => "O",
            'ŕ' | 'ř' => "r",
            'Ŕ' | 'Ř' => "R",
            'ś' | 'š' | 'ş' => "s",
            'Ś' | 'Š' | 'Ş' => "S",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'Ť' | 'Ţ' => "T",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            'æ' => "ae",
            'Æ' => "AE",
            'œ' => "oe",
            'Œ' => "OE",
            '&' => "+",
            '_' => "-",
            _ => " ",
        };
        out.push_str(mapped);
    }
    let t: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let t: String = t.chars().take(max).collect();
    let t = t.trim().to_string();
    if t.is_empty() {
        "-".to_string()
    } else {
        t
    }
}

fn amount(d: Decimal) -> String {
    let mut a = d;
    a.rescale(2);
    a.to_string()
}

/// The XML document. Amounts must be positive with at most 2 decimals
/// (the caller's items are; the schema test proves the shape).
pub fn pain_001_001_03(m: &CreditTransfer) -> String {
    let total: Decimal = m.transfers.iter().map(|t| t.amount).sum();
    let n = m.transfers.len();
    let mut x = String::with_capacity(600 + n * 520);
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
  <CstmrCdtTrfInitn>\n\
    <GrpHdr>\n\
      <MsgId>{msg}</MsgId>\n\
      <CreDtTm>{created}</CreDtTm>\n\
      <NbOfTxs>{n}</NbOfTxs>\n\
      <CtrlSum>{total}</CtrlSum>\n\
      <InitgPty>\n        <Nm>{debtor}</Nm>\n      </InitgPty>\n\
    </GrpHdr>\n\
    <PmtInf>\n\
      <PmtInfId>{msg}</PmtInfId>\n\
      <PmtMtd>TRF</PmtMtd>\n\
      <BtchBookg>true</BtchBookg>\n\
      <NbOfTxs>{n}</NbOfTxs>\n\
      <CtrlSum>{total}</CtrlSum>\n\
      <PmtTpInf>\n        <SvcLvl>\n          <Cd>SEPA</Cd>\n        </SvcLvl>\n      </PmtTpInf>\n\
      <ReqdExctnDt>{date}</ReqdExctnDt>\n\
      <Dbtr>\n        <Nm>{debtor}</Nm>\n      </Dbtr>\n\
      <DbtrAcct>\n        <Id>\n          <IBAN>{iban}</IBAN>\n        </Id>\n        <Ccy>EUR</Ccy>\n      </DbtrAcct>\n\
      <DbtrAgt>\n        <FinInstnId>\n          {agent}\n        </FinInstnId>\n      </DbtrAgt>\n\
      <ChrgBr>SLEV</ChrgBr>\n",
        msg = sepa_text(&m.message_id, 35),
        created = m.created_at,
        total = amount(total),
        debtor = sepa_text(&m.debtor.name, 70),
        date = m.execution_date,
        iban = m.debtor.iban,
        agent = match &m.debtor.bic {
            Some(b) => format!("<BIC>{b}</BIC>"),
            None => "<Othr>\n            <Id>NOTPROVIDED</Id>\n          </Othr>".to_string(),
        },
    );
    for t in &m.transfers {
        let _ = write!(
            x,
            "      <CdtTrfTxInf>\n\
        <PmtId>\n          <EndToEndId>{e2e}</EndToEndId>\n        </PmtId>\n\
        <Amt>\n          <InstdAmt Ccy=\"EUR\">{amt}</InstdAmt>\n        </Amt>\n{agent}\
        <Cdtr>\n          <Nm>{name}</Nm>\n        </Cdtr>\n\
        <CdtrAcct>\n          <Id>\n            <IBAN>{iban}</IBAN>\n          </Id>\n        </CdtrAcct>\n\
        <RmtInf>\n          <Ustrd>{rmt}</Ustrd>\n        </RmtInf>\n\
      </CdtTrfTxInf>\n",
            e2e = sepa_text(&t.end_to_end_id, 35),
            amt = amount(t.amount),
            agent = match &t.creditor_bic {
                Some(b) => format!("        <CdtrAgt>\n          <FinInstnId>\n            <BIC>{b}</BIC>\n          </FinInstnId>\n        </CdtrAgt>\n"),
                None => String::new(),
            },
            name = sepa_text(&t.creditor_name, 70),
            iban = t.creditor_iban,
            rmt = sepa_text(&t.remittance, 140),
        );
    }
    x.push_str("    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reduced_to_the_sepa_character_set() {
        assert_eq!(sepa_text("Zoë Šťastná", 70), "Zoe Stastna");
        assert_eq!(
            sepa_text("Müller & Söhne <GmbH>", 70),
            "Muller + Sohne GmbH"
        );
        assert_eq!(sepa_text("Straße", 4), "Stra");
        assert_eq!(sepa_text("日本", 70), "-");
    }

    #[test]
    fn totals_and_counts_are_written() {
        let m = CreditTransfer {
            message_id: "PD-RUN-1".into(),
            created_at: "2026-11-24T10:00:00".into(),
            execution_date: "2026-11-30".into(),
            debtor: Debtor {
                name: "Operator Ltd".into(),
                iban: "DE89370400440532013000".into(),
                bic: None,
            },
            transfers: vec![
                Transfer {
                    end_to_end_id: "1-P1".into(),
                    amount: Decimal::new(1050, 2),
                    creditor_name: "A".into(),
                    creditor_iban: "FR1420041010050500013M02606".into(),
                    creditor_bic: None,
                    remittance: "x".into(),
                },
                Transfer {
                    end_to_end_id: "1-P2".into(),
                    amount: Decimal::new(5, 1),
                    creditor_name: "B".into(),
                    creditor_iban: "NL91ABNA0417164300".into(),
                    creditor_bic: Some("ABNANL2A".into()),
                    remittance: "y".into(),
                },
            ],
        };
        let x = pain_001_001_03(&m);
        assert_eq!(x.matches("<NbOfTxs>2</NbOfTxs>").count(), 2);
        assert_eq!(
            x.matches("<CtrlSum>11.00</CtrlSum>").count(),
            2,
            "10.50 + 0.50"
        );
        assert!(x.contains("<InstdAmt Ccy=\"EUR\">0.50</InstdAmt>"));
        assert!(x.contains("<Id>NOTPROVIDED</Id>"));
    }
}
