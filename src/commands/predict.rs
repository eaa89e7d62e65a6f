//! `crisp predict`: raw CSV (or Parquet) rows in, one prediction per row out, in input order. With
//! `--batch-rows` the file is read, predicted and written in streamed batches, so files larger
//! than memory can be scored in flat memory.

use std::io::Write;

use crisp_artifact::Artifact;
use crisp_core::{bail, ensure, read_table, write_atomic_with, DataFile, Error, Result};
use crisp_train::{FittedModel, Predictions};
use polars::prelude::*;

use crate::cli::PredictArgs;
use crate::commands::output::{BatchWriter, OutputFormat};

pub fn run(args: &PredictArgs) -> Result<DataFrame> {
    let read = args.read.options()?;
    let artifact = super::read_artifact(&args.model)?;
    if args.require_blessed {
        match &artifact.header.blessing {
            Some(b) if b.passed => {}
            _ => bail!(
                Artifact: "{}: the model is not blessed (run `crisp validate --bless` on it first); --require-blessed refuses it",
                args.model.display()
            ),
        }
    }
    if args.proba && artifact.model.target.task == crisp_validate::Task::Regression {
        bail!(Config: "--proba: a regression model has no class probabilities");
    }
    if let Some(batch_rows) = args.batch_rows {
        ensure!(batch_rows >= 1, Config: "--batch-rows must be at least 1");
        return stream(args, &artifact, batch_rows);
    }
    let data = read_table(&args.data, &read)?;
    let source = args.data.display().to_string();
    let mut out = predictions_frame(&artifact, &data.frame, &source, args)?;
    let mut write = |w: &mut dyn Write| -> Result<()> {
        CsvWriter::new(w).include_header(true).finish(&mut out)?;
        Ok(())
    };
    match &args.out {
        Some(path) => {
            write_atomic_with(path, |file| write(file))?;
            eprintln!("predicted {} rows -> {}", out.height(), path.display());
        }
        None => to_stdout(|stdout| write(stdout))?,
    }
    Ok(out)
}

/// The output rows for `frame`: its columns with `--keep-columns`, then `prediction`, then one
/// `proba_<class>` column per class with `--proba`.
fn predictions_frame(
    artifact: &Artifact,
    frame: &DataFrame,
    source: &str,
    args: &PredictArgs,
) -> Result<DataFrame> {
    let model: &FittedModel = &artifact.model;
    let predictions = model.predict(frame, source)?;
    let mut columns: Vec<Column> = Vec::new();
    if args.keep_columns {
        columns.extend(frame.columns().iter().cloned());
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
    DataFrame::new_infer_height(columns).map_err(|e| {
        Error::data(format!("{source}: cannot assemble the output (a column named 'prediction' already exists?): {e}"))
    })
}

/// `--batch-rows`: read, predict and write batch by batch. Returns an empty frame with the
/// output's columns (the rows were written, never held).
fn stream(args: &PredictArgs, artifact: &Artifact, batch_rows: usize) -> Result<DataFrame> {
    let file = DataFile::check_with(&args.data, &args.read.options()?)?;
    let source = file.source();
    let pipeline = &artifact.model.pipeline;
    pipeline.require_inputs(&file)?;
    let columns: Vec<String> = if args.keep_columns {
        file.header().to_vec()
    } else {
        pipeline.input.names()
    };
    let process =
        |batch: &DataFrame, _first_row: usize| predictions_frame(artifact, batch, &source, args);
    let mut schema_frame = DataFrame::empty();
    let mut rows = 0;
    let mut write_batches = |w: &mut dyn Write| -> Result<()> {
        let mut writer = BatchWriter::new(OutputFormat::Csv, w);
        rows = file.map_batches(
            &columns,
            &pipeline.input_dtypes(),
            batch_rows,
            process,
            |batch| {
                if schema_frame.width() == 0 {
                    schema_frame = batch.clear();
                }
                writer.write(batch)
            },
        )?;
        writer.finish()
    };
    match &args.out {
        Some(path) => {
            write_atomic_with(path, |f| write_batches(f))?;
            eprintln!("predicted {rows} rows in batches -> {}", path.display());
        }
        None => to_stdout(|stdout| write_batches(stdout))?,
    }
    Ok(schema_frame)
}

/// Run `write` on stdout; a closed pipe (`crisp predict ... | head`) is not an error worth
/// reporting.
fn to_stdout(write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    let result = write(&mut stdout).and_then(|()| {
        stdout.flush().map_err(|e| Error::Io {
            context: "cannot write predictions to stdout".into(),
            source: e,
        })
    });
    match result {
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(Error::Polars(PolarsError::IO { error, .. }))
            if error.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(())
        }
        other => other,
    }
}
