//! `crisp registry push / list / show / alias / rollback`: the model registry of the run store
//! (crisp-track's registry module does the work).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use crisp_core::{bail, Result};
use crisp_track::{ModelVersion, Reference, Store};

use crate::tracking::Tracking;

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Copy an artifact into the registry as the next version of NAME.
    Push(PushArgs),
    /// The registered models: versions and aliases.
    List(RegistryListArgs),
    /// One model's versions, aliases and alias history (NAME), or one version (NAME@VERSION).
    Show(RegistryShowArgs),
    /// Point an alias (such as `production`) at NAME@VERSION; only a blessed version, unless
    /// --force --reason.
    Alias(AliasArgs),
    /// Move an alias back to the version it pointed at before its last move.
    Rollback(RollbackArgs),
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The artifact to register.
    #[arg(value_name = "ARTIFACT")]
    pub artifact: PathBuf,
    /// The model's name: letters, digits, '.', '_' or '-'.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Print the registered version as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RegistryListArgs {
    /// Print the models as JSON (an array).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RegistryShowArgs {
    /// NAME, NAME@VERSION or NAME@ALIAS.
    #[arg(value_name = "NAME[@VERSION]")]
    pub model: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AliasArgs {
    /// The version to point at: NAME@VERSION.
    #[arg(value_name = "NAME@VERSION")]
    pub model: String,
    /// The alias, such as `production` or `staging`.
    #[arg(value_name = "ALIAS")]
    pub alias: String,
    /// Move the alias even though the version is not blessed (needs --reason).
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why the gate is overridden; recorded with who did it and when.
    #[arg(long, value_name = "TEXT", requires = "force")]
    pub reason: Option<String>,
    /// Refuse the version unless its registered signature (ARTIFACT.sig, pushed with it) is
    /// by this public key.
    #[arg(long, value_name = "KEY.pub")]
    pub verify_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The model's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The alias to move back.
    #[arg(value_name = "ALIAS")]
    pub alias: String,
}

pub fn run(command: &RegistryCommand, tracking: &Tracking) -> Result<()> {
    let path = tracking.read_store();
    match command {
        RegistryCommand::Push(args) => push(&Store::open(&path)?, args),
        RegistryCommand::List(args) => list(&Store::open_existing(&path)?, args),
        RegistryCommand::Show(args) => show(&Store::open_existing(&path)?, args),
        RegistryCommand::Alias(args) => alias(&Store::open_existing(&path)?, args),
        RegistryCommand::Rollback(args) => {
            let store = Store::open_existing(&path)?;
            let moved = store.rollback(&args.name, &args.alias, &crisp_track::who())?;
            println!(
                "{}@{} -> version {} (rolled back)",
                args.name, args.alias, moved.version
            );
            Ok(())
        }
    }
}

fn push(store: &Store, args: &PushArgs) -> Result<()> {
    // The header must read: only artifacts are registered, and it says whether the model is
    // blessed and which run trained it.
    let header = crisp_artifact::read_header(&args.artifact)?;
    let blessed = header.blessing.as_ref().is_some_and(|b| b.passed);
    let run = header.run.as_ref().map(|r| r.id);
    let version = store.push(
        &args.artifact,
        &args.name,
        blessed,
        run,
        &crisp_track::who(),
    )?;
    if args.json {
        println!("{}", json(&version));
    } else {
        println!(
            "pushed {} as {}@{} ({}, {})",
            args.artifact.display(),
            version.name,
            version.version,
            if blessed { "blessed" } else { "not blessed" },
            version.path.display()
        );
    }
    Ok(())
}

fn list(store: &Store, args: &RegistryListArgs) -> Result<()> {
    let models = store.models()?;
    if args.json {
        println!("{}", json(&models));
        return Ok(());
    }
    if models.is_empty() {
        println!("no registered models in {}", store.path().display());
        return Ok(());
    }
    println!("{:<24} {:>8} {:>7}  aliases", "name", "versions", "latest");
    for m in &models {
        let aliases: Vec<String> = m.aliases.iter().map(|(a, v)| format!("{a}={v}")).collect();
        println!(
            "{:<24} {:>8} {:>7}  {}",
            m.name,
            m.versions,
            m.latest,
            aliases.join(", ")
        );
    }
    Ok(())
}

fn show(store: &Store, args: &RegistryShowArgs) -> Result<()> {
    let (name, reference) = Reference::parse(&args.model)?;
    if let Some(reference) = reference {
        let version = store.resolve(&name, Some(&reference))?;
        if args.json {
            println!("{}", json(&version));
        } else {
            print!("{}", describe(&version));
        }
        return Ok(());
    }
    let model = store.model(&name)?;
    if args.json {
        println!("{}", json(&model));
        return Ok(());
    }
    println!("model {}", model.name);
    println!("versions");
    for v in &model.versions {
        println!(
            "  {:<4} {}  {:<11} run {:<6} by {} at {}",
            v.version,
            v.hash,
            if v.blessed { "blessed" } else { "not blessed" },
            v.run.map_or("-".to_string(), |r| r.to_string()),
            v.pushed_by,
            v.pushed_at
        );
    }
    println!("aliases");
    if model.aliases.is_empty() {
        println!("  (none)");
    }
    for (a, v) in &model.aliases {
        println!("  {a} -> {v}");
    }
    println!("alias history");
    if model.history.is_empty() {
        println!("  (none)");
    }
    for m in &model.history {
        let forced = match (&m.reason, m.forced) {
            (Some(r), true) => format!(", forced: {r}"),
            (Some(r), false) => format!(", reason: {r}"),
            _ => String::new(),
        };
        println!(
            "  {} {} -> {} by {} at {}{}",
            m.kind, m.alias, m.version, m.moved_by, m.moved_at, forced
        );
    }
    Ok(())
}

fn describe(v: &ModelVersion) -> String {
    let run = v.run.map_or("-".to_string(), |r| r.to_string());
    format!(
        "model      {}@{}\nfile       {}\nhash       {}\nblessed    {}\nrun        {run}\nsource     {}\npushed by  {} at {}\n",
        v.name,
        v.version,
        v.path.display(),
        v.hash,
        if v.blessed { "yes" } else { "no" },
        v.source,
        v.pushed_by,
        v.pushed_at
    )
}

fn alias(store: &Store, args: &AliasArgs) -> Result<()> {
    let (name, reference) = Reference::parse(&args.model)?;
    let Some(Reference::Version(version)) = reference else {
        bail!(Config: "'{}': give the version to alias as NAME@VERSION, such as {name}@2", args.model);
    };
    if let Some(key) = &args.verify_key {
        let target = store.resolve(&name, Some(&Reference::Version(version)))?;
        super::sign::verify(&target.path, Some(key))?;
    }
    let force = if args.force {
        args.reason.as_deref()
    } else {
        None
    };
    let moved = store.move_alias(&name, version, &args.alias, force, &crisp_track::who())?;
    println!(
        "{name}@{} -> version {}{}",
        args.alias,
        moved.version,
        if moved.forced {
            " (forced: not blessed)"
        } else {
            ""
        }
    );
    Ok(())
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("registry records serialize")
}
