// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kaizen",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kaizen", targets: ["Kaizen"]),
        .executable(name: "kaizen", targets: ["KaizenCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .target(name: "KaizenTensor", dependencies: ["CBLAS"]),
        .target(name: "KaizenNN", dependencies: ["KaizenTensor"]),
        .target(name: "KaizenIO", dependencies: ["KaizenTensor", "KaizenNN", "CZlib"]),
        .target(name: "KaizenData", dependencies: ["KaizenTensor", "KaizenIO", "CPNG", "CJPEG", "CTurboJPEG"]),
        .target(name: "KaizenModels", dependencies: ["KaizenTensor", "KaizenNN", "KaizenIO", "KaizenData"]),
        .target(name: "KaizenEval", dependencies: ["KaizenTensor", "KaizenNN", "KaizenIO", "KaizenData"]),
        .target(name: "KaizenSelect", dependencies: ["KaizenTensor", "KaizenEval"]),
        .target(name: "KaizenEvolve", dependencies: ["KaizenTensor", "KaizenNN", "KaizenEval", "KaizenModels"]),
        .target(name: "KaizenGradFeatures", dependencies: ["KaizenTensor", "KaizenNN", "KaizenData", "KaizenModels", "KaizenEval"]),
        .target(name: "KaizenRobustTune", dependencies: ["KaizenTensor", "KaizenNN", "KaizenData", "KaizenModels"]),
        .target(name: "KaizenDebias", dependencies: ["KaizenTensor", "KaizenNN", "KaizenData", "KaizenModels", "KaizenEval"]),
        .target(name: "Kaizen", dependencies: [
            "KaizenTensor", "KaizenNN", "KaizenIO", "KaizenData", "KaizenModels", "KaizenEval",
            "KaizenSelect", "KaizenEvolve", "KaizenGradFeatures", "KaizenRobustTune", "KaizenDebias",
        ]),
        .executableTarget(
            name: "KaizenCLI",
            dependencies: ["Kaizen", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "KaizenTensorTests", dependencies: ["KaizenTensor"]),
        .testTarget(name: "KaizenNNTests", dependencies: ["KaizenNN", "KaizenTensor"]),
        .testTarget(
            name: "KaizenIOTests",
            dependencies: ["KaizenIO", "KaizenNN", "KaizenTensor"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "KaizenDataTests", dependencies: ["KaizenData"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KaizenModelsTests", dependencies: ["KaizenModels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KaizenCLITests", dependencies: ["KaizenCLI"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KaizenEvalTests", dependencies: ["KaizenEval"]),
        .testTarget(name: "KaizenSelectTests", dependencies: ["KaizenSelect"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KaizenEvolveTests", dependencies: ["KaizenEvolve", "KaizenModels"]),
        .testTarget(name: "KaizenGradFeaturesTests", dependencies: ["KaizenGradFeatures"]),
        .testTarget(
            name: "KaizenRobustTuneTests",
            dependencies: ["KaizenRobustTune", "KaizenIO", "KaizenModels"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "KaizenDebiasTests", dependencies: ["KaizenDebias"]),
    ],
    swiftLanguageModes: [.v6]
)
