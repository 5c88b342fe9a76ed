"""Linear regression: nn.Linear fitted by SGD with momentum on a noisy line."""

import torch
import torch.nn as nn

torch.manual_seed(42)

true_w = torch.tensor([[2.0, -3.4]])
true_b = 4.2
X = torch.randn(200, 2)
y = X @ true_w.T + true_b + 0.01 * torch.randn(200, 1)
print("data:", X.shape, y.shape, X.dtype)
print("first rows:\n", X[:3], "\n", y[:3])

model = nn.Linear(2, 1)
print(model)
print("initial weight:", model.weight.data, "bias:", model.bias.data)

criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
print(optimizer)

for epoch in range(30):
    optimizer.zero_grad()
    pred = model(X)
    loss = criterion(pred, y)
    loss.backward()
    if epoch == 0:
        print("pred:", pred[:2])
        print("loss:", loss)
        print("weight grad:", model.weight.grad)
        print("bias grad:", model.bias.grad)
    optimizer.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  loss {loss.item():.6f}")

print("learned weight:", model.weight.data)
print("learned bias:", model.bias.data)
print("error in w:", (model.weight.data - true_w).abs().max().item() < 0.1)

with torch.no_grad():
    test = torch.tensor([[1.0, 1.0], [0.0, 0.0], [-1.0, 2.0]])
    out = model(test)
print("predictions:", out.squeeze())
print("requires_grad:", out.requires_grad, "grad_fn:", out.grad_fn)

# The closed-form least squares solution for comparison.
A = torch.cat([X, torch.ones(200, 1)], dim=1)
solution = torch.linalg.lstsq(A, y).solution
print("least squares:", solution.flatten())
print("state:", optimizer.state_dict()["param_groups"])
