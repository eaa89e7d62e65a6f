//! Gradient boosting on a DataFusion Ballista cluster.
