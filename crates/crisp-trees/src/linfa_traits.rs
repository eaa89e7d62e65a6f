//! linfa's traits for the models grown straight from binned data and targets (decision trees
//! and random forests), whose implementations differ only by the names.

/// Implements, for model `$model` and its checked params `$params` (`$name` names the model in
/// errors):
/// - `Fit` on any records `ArrayBase<D, Ix2>` of `f64` and any single targets
///   `T: AsSingleTargets<Elem = E>` (owned, views, references), `E: TreeTarget`: `usize` labels
///   give a classifier `$model<usize>`, `f64` targets a regressor `$model<f64>`, both through
///   `$model::fit_targets`. The dataset's sample weights are checked and honoured;
/// - `PredictInplace` of labels, the most probable class of `$model::predict_proba`.
macro_rules! fit_and_predict_classes {
    ($model:ident, $params:ident, $name:literal) => {
        impl<D, T, E>
            ::linfa::traits::Fit<::ndarray::ArrayBase<D, ::ndarray::Ix2>, T, $crate::TreeError>
            for $params
        where
            D: ::ndarray::Data<Elem = f64>,
            T: ::linfa::dataset::AsSingleTargets<Elem = E>,
            E: $crate::TreeTarget,
        {
            type Object = $model<E>;

            fn fit(
                &self,
                dataset: &::linfa::dataset::DatasetBase<::ndarray::ArrayBase<D, ::ndarray::Ix2>, T>,
            ) -> ::std::result::Result<Self::Object, $crate::TreeError> {
                let y = ::linfa::dataset::AsSingleTargets::as_single_targets(&dataset.targets);
                let data = $crate::data::prepare(&dataset.records, y.len(), &self.tree)?;
                let weights = $crate::data::sample_weights($name, dataset.weights(), y.len())?;
                let targets = <E as $crate::target::sealed::Sealed>::read(y, self.tree.n_classes)?;
                let targets = $crate::data::TreeTargets::new(targets, weights);
                Ok($model::fit_targets(self, &data, &targets))
            }
        }

        impl $params {
            /// Fits on a matrix binned beforehand (see [`crate::BinnedMatrix`]): `usize`
            /// labels give a classifier, `f64` targets a regressor, one target (and one
            /// sample weight, if any) per row of `data`. The matrix's [`crate::BinMapper`]s
            /// decide the bins and which features are categorical, so the `max_bins` and
            /// `categorical_features` parameters do not apply. The model is the one
            /// `Fit::fit` gives on raw rows binned to the same bins.
            pub fn fit_binned<E: $crate::TreeTarget>(
                &self,
                data: &$crate::BinnedMatrix,
                y: ::ndarray::ArrayView1<E>,
                weights: Option<&[f32]>,
            ) -> ::std::result::Result<$model<E>, $crate::TreeError> {
                data.check_targets(y.len())?;
                let weights = $crate::data::sample_weights($name, weights, y.len())?;
                let targets = <E as $crate::target::sealed::Sealed>::read(y, self.tree.n_classes)?;
                let targets = $crate::data::TreeTargets::new(targets, weights);
                Ok($model::fit_targets(self, &data.data, &targets))
            }
        }

        impl<D: ::ndarray::Data<Elem = f64>>
            ::linfa::traits::PredictInplace<
                ::ndarray::ArrayBase<D, ::ndarray::Ix2>,
                ::ndarray::Array1<usize>,
            > for $model<usize>
        {
            fn predict_inplace(
                &self,
                x: &::ndarray::ArrayBase<D, ::ndarray::Ix2>,
                y: &mut ::ndarray::Array1<usize>,
            ) {
                assert_eq!(x.nrows(), y.len(), "one target per row");
                let proba = self.predict_proba(x.view());
                for (t, row) in y.iter_mut().zip(proba.rows()) {
                    *t = ::crisp_core::argmax(row.as_slice().expect("standard layout"));
                }
            }

            fn default_target(
                &self,
                x: &::ndarray::ArrayBase<D, ::ndarray::Ix2>,
            ) -> ::ndarray::Array1<usize> {
                ::ndarray::Array1::zeros(x.nrows())
            }
        }
    };
}

pub(crate) use fit_and_predict_classes;
