"""PyTorch CPU side of `npm run bench:train`: the same architectures, Adam, batch and step counts.

Reads a JSON request on stdin, prints one JSON line per (model, threads). Data is random: throughput
of these dense kernels does not depend on the values.
"""
import json
import sys
import time

import torch
from torch import nn


def build(spec, shape, classes):
    layers = []
    if spec["kind"] == "mlp":
        size = 1
        for d in shape:
            size *= d
        previous = size
        for units in spec["hidden"]:
            layers += [nn.Linear(previous, units), nn.ReLU()]
            previous = units
        layers.append(nn.Linear(previous, classes))
        return nn.Sequential(*layers), (size,)
    h, w, c = shape
    previous = c
    for filters in spec["filters"]:
        layers += [nn.Conv2d(previous, filters, spec["kernelSize"], padding="same"), nn.ReLU(), nn.MaxPool2d(2)]
        previous = filters
        h, w = h // 2, w // 2
    layers.append(nn.Flatten())
    previous = previous * h * w
    for units in spec["dense"]:
        layers += [nn.Linear(previous, units), nn.ReLU()]
        previous = units
    layers.append(nn.Linear(previous, classes))
    return nn.Sequential(*layers), (c, shape[0], shape[1])


def bench(spec, shape, classes, batch, warmup, seconds, threads, repeat):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, input_shape = build(spec, shape, classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, *input_shape)
    y = torch.randint(0, classes, (batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    # `seconds` split into `repeat` timed runs, the fastest kept (interference only slows a run).
    best = None
    for _ in range(repeat):
        steps = 0
        started = time.perf_counter()
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds / repeat and steps >= 3:
                break
        if best is None or steps / elapsed > best["steps"] / best["seconds"]:
            best = {"steps": steps, "seconds": elapsed}
    return {**best, "samplesPerSecond": best["steps"] * batch / best["seconds"]}


def main():
    request = json.load(sys.stdin)
    for job in request["jobs"]:
        for threads in request["threads"]:
            result = bench(job["spec"], job["shape"], job["classes"], request["batch"], request["warmup"], request["seconds"], threads, request.get("repeat", 1))
            print(json.dumps({"name": job["name"], "threads": threads, "torch": torch.__version__, **result}), flush=True)


if __name__ == "__main__":
    main()
