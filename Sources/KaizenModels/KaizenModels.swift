/// Pretrained models: EfficientNet-Lite0, BERT/MiniLM with WordPiece, small CNN/MLP; asset lookup.
@_exported import KaizenNN
