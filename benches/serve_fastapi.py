"""The baseline of benches/serve_load.sh: a FastAPI + scikit-learn server with the same API as
`crisp serve` (POST /predict with {"rows": [...]}, GET /health).

    python serve_fastapi.py train ADULT_CSV MODEL_PKL   # fit once
    MODEL_PKL=... uvicorn serve_fastapi:app --workers 2 # serve (each worker loads the pickle)

The model is scikit-learn's HistGradientBoostingClassifier (100 rounds, 31 leaves, learning rate
0.1: its defaults, like crisp's gbdt) with the text columns ordinal-encoded and split on as
categories, inside one Pipeline, as a scikit-learn user would ship it.
"""

import os
import pickle
import sys

import pandas as pd

TARGET = "income"


def train(data_csv, out):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    frame = pd.read_csv(data_csv)
    y = frame.pop(TARGET)
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numbers = [c for c in frame.columns if c not in text]
    encode = ColumnTransformer(
        [
            (
                "text",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                text,
            ),
            ("numbers", "passthrough", numbers),
        ]
    )
    model = Pipeline(
        [
            ("encode", encode),
            (
                "gbdt",
                HistGradientBoostingClassifier(
                    categorical_features=list(range(len(text))), random_state=0
                ),
            ),
        ]
    )
    model.fit(frame, y)
    with open(out, "wb") as f:
        pickle.dump({"model": model, "columns": list(frame.columns)}, f)


if len(sys.argv) == 4 and sys.argv[1] == "train":
    train(sys.argv[2], sys.argv[3])
    sys.exit(0)

from fastapi import FastAPI  # noqa: E402
from pydantic import BaseModel  # noqa: E402

with open(os.environ["MODEL_PKL"], "rb") as f:
    saved = pickle.load(f)
MODEL = saved["model"]
COLUMNS = saved["columns"]

app = FastAPI()


class Rows(BaseModel):
    rows: list[dict]


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(body: Rows):
    frame = pd.DataFrame.from_records(body.rows, columns=COLUMNS)
    return {"predictions": MODEL.predict(frame).tolist()}
