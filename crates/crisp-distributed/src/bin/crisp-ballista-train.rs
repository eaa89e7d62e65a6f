//! `crisp-ballista-train JOB.json OUT.bin`: trains the gbdt of a [`TrainJob`] on a Ballista
//! cluster (or `standalone`: one in this process) and writes the [`TrainOutput`]. Launched by
//! `crisp train --engine` (see `crisp_distributed::job`); exit 2 with one sentence on stderr
//! when it cannot.

use std::path::Path;
use std::process::ExitCode;

use crisp_distributed::cluster::{connect, standalone};
use crisp_distributed::job::encode_output;
use crisp_distributed::{train, TableSpec, TrainJob, TrainOutput, TrainedGbdt};
use crisp_trees::{EarlyStopping, GradientBoosting, GradientBoostingParams};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use linfa::ParamGuard;

/// Registers the job's data as table `data`.
async fn register(ctx: &SessionContext, data: &Path) -> Result<(), String> {
    let path = data.to_str().ok_or("the data path is not UTF-8")?;
    let is_csv = data
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let result = if is_csv {
        ctx.register_csv("data", path, CsvReadOptions::new()).await
    } else {
        ctx.register_parquet("data", path, ParquetReadOptions::default())
            .await
    };
    result.map_err(|e| format!("{}: {e}", data.display()))
}

fn params(job: &TrainJob) -> Result<crisp_trees::GradientBoostingValidParams, String> {
    // Early stopping draws rows to hold out, which the cluster path does not: off unless asked
    // (and then refused by the fit, with its reason).
    let mut p: GradientBoostingParams = GradientBoosting::params()
        .seed(job.seed)
        .early_stopping(EarlyStopping::Off);
    for (name, value) in &job.params {
        p.set_param(name, value).map_err(|e| e.to_string())?;
    }
    p.check().map_err(|e| e.to_string())
}

fn run(job: &TrainJob) -> Result<TrainOutput, String> {
    let params = params(job)?;
    let max_bins = job
        .params
        .iter()
        .rev()
        .find(|(k, _)| k == "max_bins")
        .map(|(_, v)| {
            v.parse::<usize>()
                .map_err(|e| format!("max_bins {v:?}: {e}"))
        })
        .transpose()?
        .unwrap_or(255);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let ctx = rt
        .block_on(async {
            if job.engine == "standalone" {
                standalone(2).await
            } else {
                connect(&job.engine).await
            }
        })
        .map_err(|e| e.to_string())?;
    rt.block_on(register(&ctx, &job.data))?;
    let spec = TableSpec {
        table: "data".into(),
        features: job.features.clone(),
        target: job.target.clone(),
    };
    let out = if job.classification {
        let t = train::<usize>(&rt, &ctx, &spec, &params, max_bins).map_err(|e| e.to_string())?;
        (
            TrainedGbdt::Classifier(t.model),
            t.rows,
            t.histogram_queries,
            t.seconds,
        )
    } else {
        let t = train::<f64>(&rt, &ctx, &spec, &params, max_bins).map_err(|e| e.to_string())?;
        (
            TrainedGbdt::Regressor(t.model),
            t.rows,
            t.histogram_queries,
            t.seconds,
        )
    };
    Ok(TrainOutput {
        model: out.0,
        rows: out.1,
        histogram_queries: out.2,
        seconds: out.3,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [job, out] = &args[..] else {
        eprintln!("crisp-ballista-train: usage: crisp-ballista-train JOB.json OUT.bin");
        return ExitCode::from(2);
    };
    let result = std::fs::read(job)
        .map_err(|e| format!("{job}: {e}"))
        .and_then(|b| serde_json::from_slice::<TrainJob>(&b).map_err(|e| format!("{job}: {e}")))
        .and_then(|job| run(&job))
        .and_then(|o| {
            eprintln!(
                "crisp-ballista-train: trained {} rows in {} histogram queries ({:.1} s for the bin edges, {:.1} s boosting)",
                o.rows, o.histogram_queries, o.seconds.0, o.seconds.1
            );
            std::fs::write(out, encode_output(&o)).map_err(|e| format!("{out}: {e}"))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crisp-ballista-train: {e}");
            ExitCode::from(2)
        }
    }
}
