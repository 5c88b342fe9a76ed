"""pytorch-lightning: a LightningModule trained by Trainer.fit for 2 epochs on the CPU, then
validated."""

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(64, 4)
y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1
data = TensorDataset(x, y)


class Regressor(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
        )
        self.losses = []

    def training_step(self, batch, batch_idx):
        loss = torch.nn.functional.mse_loss(self.net(batch[0]), batch[1])
        self.losses.append(round(loss.item(), 4))
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", torch.nn.functional.mse_loss(self.net(batch[0]), batch[1]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.05)


model = Regressor()
trainer = pl.Trainer(
    max_epochs=2,
    accelerator="cpu",
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
)
trainer.fit(model, DataLoader(data, batch_size=16), DataLoader(data, batch_size=32))
print("losses", model.losses)
print("epoch", trainer.current_epoch, "steps", trainer.global_step)
print("metrics", {k: round(v.item(), 4) for k, v in sorted(trainer.callback_metrics.items())})
print("validate", trainer.validate(model, DataLoader(data, batch_size=32), verbose=False))
print("weight", model.net[0].weight[0])
