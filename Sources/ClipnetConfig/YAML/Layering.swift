/// Layers an environment file over the base: mappings merge key by key (the overlay wins per
/// key, recursively), and lists, scalars and values the shape marks as whole (a service source,
/// a secret reference) are replaced. Positions follow the winning node.
enum Layering {
    static func merge(_ base: ConfigNode, _ overlay: ConfigNode, shape: Shape?) -> ConfigNode {
        guard let shape, !shape.replacesWhole,
              let baseEntries = base.entries, let overlayEntries = overlay.entries
        else { return overlay }
        var merged = baseEntries
        for entry in overlayEntries {
            if let index = merged.firstIndex(where: { $0.key == entry.key }) {
                merged[index] = ConfigNode.Entry(
                    key: entry.key,
                    keyLocation: entry.keyLocation,
                    value: merge(merged[index].value, entry.value, shape: childShape(shape, entry.key))
                )
            } else {
                merged.append(entry)
            }
        }
        return ConfigNode(kind: .mapping(merged), location: overlay.location)
    }

    private static func childShape(_ shape: Shape, _ key: String) -> Shape? {
        switch shape {
        case .object(let object): object.field(key)?.shape
        case .map(let map): map.value
        default: nil
        }
    }
}
