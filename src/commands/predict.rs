//! `crisp predict`: raw CSV rows in, one prediction per row out, in input order.

use std::io::Write;

use crisp_artifact::Artifact;
use crisp_core::{bail, csv_bytes, read_csv, write_atomic, Error, Result};
use crisp_train::Predictions;
use polars::prelude::*;

use crate::cli::PredictArgs;

pub fn run(args: &PredictArgs) -> Result<DataFrame> {
    let artifact = Artifact::read(&args.model)?;
    if args.require_blessed {
        match &artifact.header.blessing {
            Some(b) if b.passed => {}
            _ => bail!(
                Artifact: "{}: the model is not blessed (run `crisp validate --bless` on it first); --require-blessed refuses it",
                args.model.display()
            ),
        }
    }
    let data = read_csv(&args.data)?;
    let source = args.data.display().to_string();
    let model = &artifact.model;
    let predictions = model.predict(&data.frame, &source)?;

    let mut columns: Vec<Column> = Vec::new();
    if args.keep_columns {
        columns.extend(data.frame.columns().iter().cloned());
    }
    columns.push(model.prediction_column(&predictions));
    if args.proba {
        match &predictions {
            Predictions::Classes {
                proba: Some(p),
                n_classes,
                ..
            } => {
                for (k, class) in model.target.classes.iter().enumerate() {
                    let values: Vec<f64> = p.chunks(*n_classes).map(|row| row[k]).collect();
                    columns.push(Column::new(format!("proba_{class}").into(), values));
                }
            }
            Predictions::Classes { .. } => bail!(
                Config: "--proba: model '{}' does not give class probabilities",
                artifact.header.model
            ),
            Predictions::Values(_) => {
                bail!(Config: "--proba: a regression model has no class probabilities")
            }
        }
    }
    let mut out = DataFrame::new_infer_height(columns).map_err(|e| {
        Error::Data(format!("{source}: cannot assemble the output (a column named 'prediction' already exists?): {e}"))
    })?;
    let bytes = csv_bytes(&mut out)?;
    match &args.out {
        Some(path) => {
            write_atomic(path, &bytes)?;
            eprintln!("predicted {} rows -> {}", out.height(), path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`crisp predict ... | head`) is not an error worth reporting.
            if let Err(e) = stdout.write_all(&bytes).and_then(|_| stdout.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(Error::Io {
                        context: "cannot write predictions to stdout".into(),
                        source: e,
                    });
                }
            }
        }
    }
    Ok(out)
}
