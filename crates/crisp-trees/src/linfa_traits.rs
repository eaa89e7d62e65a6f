//! linfa's traits for the models grown straight from binned data and targets (decision trees
//! and random forests), whose implementations differ only by the names.

/// Implements, for model `$model` and its checked params `$params`:
/// - `Fit` on `Array1<usize>` labels, giving a classifier `$model<usize>`, and on `Array1<f64>`
///   targets, giving a regressor `$model<f64>`, both through `$model::fit_targets`;
/// - `PredictInplace` of labels, the most probable class of `$model::predict_proba`.
macro_rules! fit_and_predict_classes {
    ($model:ident, $params:ident) => {
        impl<D: ::ndarray::Data<Elem = f64>>
            ::linfa::traits::Fit<
                ::ndarray::ArrayBase<D, ::ndarray::Ix2>,
                ::ndarray::Array1<usize>,
                $crate::TreeError,
            > for $params
        {
            type Object = $model<usize>;

            fn fit(
                &self,
                dataset: &::linfa::dataset::DatasetBase<
                    ::ndarray::ArrayBase<D, ::ndarray::Ix2>,
                    ::ndarray::Array1<usize>,
                >,
            ) -> ::std::result::Result<Self::Object, $crate::TreeError> {
                let data =
                    $crate::data::prepare(&dataset.records, dataset.targets.len(), &self.tree)?;
                let (y, k) =
                    $crate::data::class_labels(dataset.targets.view(), self.tree.n_classes)?;
                let targets = $crate::data::TreeTargets::Class { y, k };
                Ok($model::fit_targets(self, &data, &targets))
            }
        }

        impl<D: ::ndarray::Data<Elem = f64>>
            ::linfa::traits::Fit<
                ::ndarray::ArrayBase<D, ::ndarray::Ix2>,
                ::ndarray::Array1<f64>,
                $crate::TreeError,
            > for $params
        {
            type Object = $model<f64>;

            fn fit(
                &self,
                dataset: &::linfa::dataset::DatasetBase<
                    ::ndarray::ArrayBase<D, ::ndarray::Ix2>,
                    ::ndarray::Array1<f64>,
                >,
            ) -> ::std::result::Result<Self::Object, $crate::TreeError> {
                let data =
                    $crate::data::prepare(&dataset.records, dataset.targets.len(), &self.tree)?;
                let y = $crate::data::regression_targets(dataset.targets.view())?;
                let targets = $crate::data::TreeTargets::regression(y);
                Ok($model::fit_targets(self, &data, &targets))
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
                    *t = $crate::predict::argmax(row.as_slice().expect("standard layout"));
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
