"""A small CNN for 1x28x28 images: one training step, then evaluation."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(123)


class SmallCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, stride=1)
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(16 * 6 * 6, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.dropout(torch.flatten(x, 1))
        return self.fc(x)


model = SmallCNN()
print(model)
print("conv1 weight:", model.conv1.weight.shape, model.conv1.weight[0, 0])
print("total params:", sum(p.numel() for p in model.parameters() if p.requires_grad))

images = torch.randn(8, 1, 28, 28)
labels = torch.randint(0, 10, (8,))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
criterion = nn.CrossEntropyLoss()

model.train()
out = model(images)
print("logits:", out.shape, out.dtype)
loss = criterion(out, labels)
print("loss:", loss)
optimizer.zero_grad()
loss.backward()
print("conv1 grad:", model.conv1.weight.grad[0, 0])
print("conv2 bias grad:", model.conv2.bias.grad[:4])
print("bn1 weight grad:", model.bn1.weight.grad)
print("fc grad norm:", model.fc.weight.grad.norm())
optimizer.step()

print("bn running_mean:", model.bn1.running_mean)
print("bn running_var:", model.bn1.running_var)
print("bn batches tracked:", model.bn1.num_batches_tracked)

model.eval()
with torch.no_grad():
    eval_out = model(images)
    again = model(images)
print("eval deterministic:", torch.equal(eval_out, again))
print("eval logits[0]:", eval_out[0])
print("eval loss:", criterion(eval_out, labels).item())
print("predictions:", eval_out.argmax(1))

feature = F.max_pool2d(F.conv2d(images[:1], model.conv1.weight, model.conv1.bias, padding=1), 2)
print("functional shape:", feature.shape)
print("avg pool:", F.adaptive_avg_pool2d(feature, 1).flatten()[:4])
