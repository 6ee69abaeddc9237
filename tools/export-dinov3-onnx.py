#!/usr/bin/env python3
"""Export a DINOv3 backbone to ONNX for Normscope.

For sites that hold the official DINOv3 weights (gated on Hugging Face, DINOv3
License) and a Python with torch and transformers. Normscope itself never needs
Python: import the resulting file with `normscope backbone import <file.onnx>`
(or the Models page); `normscope backbone probe <file.onnx>` shows its layout.

The export has input `pixel_values` [B, 3, 448, 448] float32 (ImageNet-normalised
RGB) and output `last_hidden_state` [B, 5 + 784, C]: CLS, 4 register tokens and
the 28x28 patch tokens after the final LayerNorm. The batch is dynamic; the
spatial size is fixed at --size (RoPE positions are traced for that grid).

Usage:
    pip install torch transformers onnx
    python tools/export-dinov3-onnx.py --out dinov3-vits16.onnx
    python tools/export-dinov3-onnx.py --model /path/to/local/checkpoint --out dinov3.onnx
"""
import argparse

import torch
from transformers import AutoModel


class LastHiddenState(torch.nn.Module):
    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone

    def forward(self, pixel_values):
        return self.backbone(pixel_values=pixel_values).last_hidden_state


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="facebook/dinov3-vits16-pretrain-lvd1689m", help="hub id or local path")
    parser.add_argument("--out", required=True, help="output .onnx file")
    parser.add_argument("--size", type=int, default=448, help="input side in pixels (multiple of 16)")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()
    if args.size % 16 != 0:
        parser.error("--size must be a multiple of 16")

    model = LastHiddenState(AutoModel.from_pretrained(args.model).eval())
    dummy = torch.randn(1, 3, args.size, args.size)
    with torch.no_grad():
        expected = model(dummy)
        torch.onnx.export(
            model,
            (dummy,),
            args.out,
            input_names=["pixel_values"],
            output_names=["last_hidden_state"],
            dynamic_axes={"pixel_values": {0: "batch"}, "last_hidden_state": {0: "batch"}},
            opset_version=args.opset,
            dynamo=False,
        )
    grid = args.size // 16
    print(f"wrote {args.out}: last_hidden_state {tuple(expected.shape)} = [B, {expected.shape[1] - grid * grid} prefix + {grid}x{grid}, C]")

    try:
        import onnxruntime
    except ImportError:
        return
    session = onnxruntime.InferenceSession(args.out, providers=["CPUExecutionProvider"])
    (got,) = session.run(["last_hidden_state"], {"pixel_values": dummy.numpy()})
    print(f"onnxruntime check: max |torch - onnx| = {abs(got - expected.numpy()).max():.2e}")


if __name__ == "__main__":
    main()
