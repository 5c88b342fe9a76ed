"""skorch: a NeuralNetClassifier trained on sklearn's make_classification data."""

import numpy as np
import torch
from sklearn.datasets import make_classification
from skorch import NeuralNetClassifier

torch.manual_seed(0)
X, y = make_classification(200, 10, n_informative=5, random_state=0)
X, y = X.astype(np.float32), y.astype(np.int64)


class Net(torch.nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Linear(10, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 2)
        )

    def forward(self, X):
        return self.body(X)


net = NeuralNetClassifier(
    Net,
    max_epochs=3,
    lr=0.1,
    criterion=torch.nn.CrossEntropyLoss,
    iterator_train__shuffle=True,
    verbose=0,
)
net.fit(X, y)
print("proba", net.predict_proba(X[:3]).round(4))
print("accuracy", round(float((net.predict(X) == y).mean()), 4))
print("valid_acc", [round(float(v), 4) for v in net.history[:, "valid_acc"]])
print("history", [round(float(v), 4) for v in net.history[:, "train_loss"]])
