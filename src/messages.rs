//! Errors as the `crisp` command words them: the libraries suggest remedies by the names of
//! their options ([`Hint`]); here they become the flags that set them.

use crisp_core::{Error, Hint};

/// The one-line message of `err`, with its remedy in flags.
pub fn error_message(err: &Error) -> String {
    match err.hint() {
        Some(hint) => format!("{}{}", err.message(), flag_hint(hint)),
        None => err.to_string(),
    }
}

fn flag_hint(hint: Hint) -> &'static str {
    match hint {
        Hint::MoreRowsOrTestData => "; give more rows or --test-data",
        Hint::NameTheTarget => " (`target` in the config, or --target)",
        Hint::NameTheLabelColumn => {
            "; name the label with --label-column (`label_column` in the TOML)"
        }
        Hint::NameTheGoldColumn => {
            "; name the label with --gold-column (`column` in [label.gold])"
        }
        Hint::ChooseOnDuplicate => {
            "; give --on-duplicate first|last|majority (`on_duplicate` in the TOML) to keep one"
        }
        Hint::NameTheKey => ": name one or more with --key (or `key` in the TOML)",
        Hint::MatchGoldByKey => " (give --key to match them by key)",
        Hint::GiveALabelSource => {
            " (--rule, --buckets/--cuts, --join, --lf; rule, buckets, join, lfs or [[label.lf]] in [label])"
        }
        Hint::TiePolicy => " (see --tie-policy)",
        Hint::AskForClassification => "; use --task classification",
        Hint::GiveABaseline => " and needs --baseline",
        Hint::QuoteTheField => {
            "; quote the whole field (a quote inside written twice), or give another --quote"
        }
        Hint::TooManyClasses => {
            "; if it is a number to predict, use --task regression, or raise --max-classes"
        }
        Hint::GiveAnEncoding => "; if the file is Latin-1, give --encoding latin1",
        // A remedy added to the libraries later is shown in their words until it gets a flag.
        other => other.text(),
    }
}
