import QRCode from 'qrcode';

/** A QR code as one SVG path, made here: no outside service ever sees the join link. */
export function qrCodePath(text: string) {
	const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
	let path = '';
	for (let y = 0; y < modules.size; y++) {
		for (let x = 0; x < modules.size; x++) if (modules.get(x, y)) path += `M${x} ${y}h1v1h-1z`;
	}
	return { size: modules.size, path };
}
