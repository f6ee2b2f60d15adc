using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace BrowserIsolation.Runner.WebRtc;

/// <summary>
/// An RFC 5389 STUN message: parsed from a datagram (never throws; malformed input is simply refused) or built
/// attribute by attribute and serialised with MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT (CRC-32 xor 0x5354554e).
/// </summary>
public sealed class StunMessage
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingIndication = 0x0011;
    public const ushort BindingSuccessResponse = 0x0101;
    public const ushort BindingErrorResponse = 0x0111;

    private const uint FingerprintXor = 0x5354554e;
    private const int IntegrityLength = 20;
    private const int MaxStringLength = 763;

    private readonly List<StunAttribute> _attributes = [];
    private readonly byte[] _transactionId;
    private byte[]? _raw;
    private int _integrityOffset = -1;

    public StunMessage(ushort type, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction id is 12 bytes.", nameof(transactionId));
        }
        if ((type & 0xC000) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(type), "The two top bits of a STUN type are zero.");
        }
        Type = type;
        _transactionId = transactionId.ToArray();
    }

    public ushort Type { get; }

    public bool IsRequest => (Type & 0x0110) == 0x0000;

    public bool IsIndication => (Type & 0x0110) == 0x0010;

    public bool IsSuccessResponse => (Type & 0x0110) == 0x0100;

    public bool IsErrorResponse => (Type & 0x0110) == 0x0110;

    /// <summary>The 12-bit method with the class bits removed (Binding is 1).</summary>
    public int Method => (Type & 0x000F) | ((Type & 0x00E0) >> 1) | ((Type & 0x3E00) >> 2);

    public ReadOnlySpan<byte> TransactionId => _transactionId;

    public IReadOnlyList<StunAttribute> Attributes => _attributes;

    /// <summary>True when the parsed message carried MESSAGE-INTEGRITY.</summary>
    public bool HasIntegrity => _integrityOffset >= 0;

    /// <summary>True when the parsed message carried FINGERPRINT (it was verified while parsing).</summary>
    public bool HasFingerprint { get; private set; }

    /// <summary>A new message with a random transaction id.</summary>
    public static StunMessage Create(ushort type) => new(type, RandomNumberGenerator.GetBytes(TransactionIdLength));

    /// <summary>The cheap test of RFC 7983/5389: 20+ bytes, top bits zero, the magic cookie, a 4-aligned length that fits.</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength || (data[0] & 0xC0) != 0)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        return (length & 3) == 0
            && length + HeaderLength == data.Length
            && BinaryPrimitives.ReadUInt32BigEndian(data[4..]) == MagicCookie;
    }

    /// <summary>
    /// Parses one datagram. Returns false for anything that is not a well-formed RFC 5389 message, including a
    /// FINGERPRINT that does not match. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out StunMessage? message)
    {
        message = null;
        if (!LooksLikeStun(data))
        {
            return false;
        }
        var raw = data.ToArray();
        var parsed = new StunMessage(BinaryPrimitives.ReadUInt16BigEndian(raw), raw.AsSpan(8, TransactionIdLength)) { _raw = raw };
        var offset = HeaderLength;
        while (offset < raw.Length)
        {
            if (raw.Length - offset < 4)
            {
                return false;
            }
            var type = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(offset));
            var length = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(offset + 2));
            var padded = (length + 3) & ~3;
            if (raw.Length - offset - 4 < padded)
            {
                return false;
            }
            var value = new ReadOnlyMemory<byte>(raw, offset + 4, length);
            if (parsed.HasFingerprint)
            {
                return false; // nothing may follow FINGERPRINT
            }
            if (type == StunAttributeType.Fingerprint)
            {
                if (length != 4)
                {
                    return false;
                }
                var expected = StunCrc32.Compute(raw.AsSpan(0, offset)) ^ FingerprintXor;
                if (BinaryPrimitives.ReadUInt32BigEndian(value.Span) != expected)
                {
                    return false;
                }
                parsed.HasFingerprint = true;
            }
            else if (parsed._integrityOffset < 0)
            {
                if (type == StunAttributeType.MessageIntegrity)
                {
                    if (length != IntegrityLength)
                    {
                        return false;
                    }
                    parsed._integrityOffset = offset;
                }
                parsed._attributes.Add(new StunAttribute(type, value));
            }
            offset += 4 + padded;
        }
        message = parsed;
        return true;
    }

    /// <summary>Checks MESSAGE-INTEGRITY with a short-term key (the ICE password as UTF-8). Constant-time.</summary>
    public bool VerifyIntegrity(ReadOnlySpan<byte> key)
    {
        if (_raw is null || _integrityOffset < 0)
        {
            return false;
        }
        var covered = _raw.AsSpan(0, _integrityOffset).ToArray();
        // The length used for the HMAC counts up to and including MESSAGE-INTEGRITY, not a FINGERPRINT after it.
        BinaryPrimitives.WriteUInt16BigEndian(covered.AsSpan(2), (ushort)(_integrityOffset - HeaderLength + 4 + IntegrityLength));
        Span<byte> mac = stackalloc byte[IntegrityLength];
        HMACSHA1.HashData(key, covered, mac);
        return CryptographicOperations.FixedTimeEquals(mac, _raw.AsSpan(_integrityOffset + 4, IntegrityLength));
    }

    public bool VerifyIntegrity(string password) => VerifyIntegrity(Encoding.UTF8.GetBytes(password));

    public bool TryGetAttribute(ushort type, out ReadOnlyMemory<byte> value)
    {
        foreach (var attribute in _attributes)
        {
            if (attribute.Type == type)
            {
                value = attribute.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool Has(ushort type) => TryGetAttribute(type, out _);

    public string? Username => TryGetString(StunAttributeType.Username);

    public string? Software => TryGetString(StunAttributeType.Software);

    public uint? Priority => TryGetUInt32(StunAttributeType.Priority);

    public bool UseCandidate => Has(StunAttributeType.UseCandidate);

    public ulong? IceControlling => TryGetUInt64(StunAttributeType.IceControlling);

    public ulong? IceControlled => TryGetUInt64(StunAttributeType.IceControlled);

    /// <summary>XOR-MAPPED-ADDRESS decoded, or null when absent or malformed.</summary>
    public IPEndPoint? XorMappedAddress
    {
        get
        {
            if (!TryGetAttribute(StunAttributeType.XorMappedAddress, out var value))
            {
                return null;
            }
            var v = value.Span;
            if (v.Length < 4)
            {
                return null;
            }
            var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(v[2..]) ^ (MagicCookie >> 16));
            Span<byte> mask = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
            _transactionId.CopyTo(mask[4..]);
            int addressLength = v[1] switch { 1 => 4, 2 => 16, _ => 0 };
            if (addressLength == 0 || v.Length != 4 + addressLength)
            {
                return null;
            }
            Span<byte> address = stackalloc byte[addressLength];
            for (var i = 0; i < addressLength; i++)
            {
                address[i] = (byte)(v[4 + i] ^ mask[i]);
            }
            return new IPEndPoint(new IPAddress(address), port);
        }
    }

    /// <summary>ERROR-CODE as (code, reason), or null when absent or malformed.</summary>
    public (int Code, string Reason)? Error
    {
        get
        {
            if (!TryGetAttribute(StunAttributeType.ErrorCode, out var value) || value.Length < 4)
            {
                return null;
            }
            var v = value.Span;
            var code = (v[2] & 0x07) * 100 + v[3];
            if (code is < 300 or > 699 || v[3] > 99)
            {
                return null;
            }
            return (code, DecodeUtf8(v[4..]) ?? "");
        }
    }

    public StunMessage Add(ushort type, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException("A STUN attribute value is at most 65535 bytes.", nameof(value));
        }
        _attributes.Add(new StunAttribute(type, value.ToArray()));
        return this;
    }

    public StunMessage AddString(ushort type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    public StunMessage AddUInt32(ushort type, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(v, value);
        return Add(type, v);
    }

    public StunMessage AddUInt64(ushort type, ulong value)
    {
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(v, value);
        return Add(type, v);
    }

    public StunMessage AddFlag(ushort type) => Add(type, []);

    public StunMessage AddXorMappedAddress(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var bytes = address.GetAddressBytes();
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        _transactionId.CopyTo(mask[4..]);
        var value = new byte[4 + bytes.Length];
        value[1] = address.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endPoint.Port ^ (int)(MagicCookie >> 16)));
        for (var i = 0; i < bytes.Length; i++)
        {
            value[4 + i] = (byte)(bytes[i] ^ mask[i]);
        }
        return Add(StunAttributeType.XorMappedAddress, value);
    }

    public StunMessage AddErrorCode(int code, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 699);
        var text = Encoding.UTF8.GetBytes(reason);
        var value = new byte[4 + text.Length];
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        text.CopyTo(value, 4);
        return Add(StunAttributeType.ErrorCode, value);
    }

    public StunMessage AddUnknownAttributes(IReadOnlyList<ushort> types)
    {
        var value = new byte[types.Count * 2];
        for (var i = 0; i < types.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(i * 2), types[i]);
        }
        return Add(StunAttributeType.UnknownAttributes, value);
    }

    /// <summary>Serialises the attributes added so far, then MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT.</summary>
    public byte[] ToBytes(ReadOnlySpan<byte> integrityKey = default, bool fingerprint = true)
    {
        var bodyLength = 0;
        foreach (var attribute in _attributes)
        {
            bodyLength += 4 + ((attribute.Value.Length + 3) & ~3);
        }
        var withIntegrity = !integrityKey.IsEmpty;
        var total = HeaderLength + bodyLength + (withIntegrity ? 4 + IntegrityLength : 0) + (fingerprint ? 8 : 0);
        if (total - HeaderLength > ushort.MaxValue)
        {
            throw new InvalidOperationException("The STUN message is too long.");
        }
        var buffer = new byte[total];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, Type);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), MagicCookie);
        _transactionId.CopyTo(buffer, 8);
        var offset = HeaderLength;
        foreach (var attribute in _attributes)
        {
            offset = WriteAttribute(buffer, offset, attribute.Type, attribute.Value.Span);
        }
        if (withIntegrity)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(offset - HeaderLength + 4 + IntegrityLength));
            Span<byte> mac = stackalloc byte[IntegrityLength];
            HMACSHA1.HashData(integrityKey, buffer.AsSpan(0, offset), mac);
            offset = WriteAttribute(buffer, offset, StunAttributeType.MessageIntegrity, mac);
        }
        if (fingerprint)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(offset - HeaderLength + 8));
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, StunCrc32.Compute(buffer.AsSpan(0, offset)) ^ FingerprintXor);
            offset = WriteAttribute(buffer, offset, StunAttributeType.Fingerprint, crc);
        }
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(offset - HeaderLength));
        return buffer;
    }

    public byte[] ToBytes(string integrityPassword, bool fingerprint = true) =>
        ToBytes(Encoding.UTF8.GetBytes(integrityPassword), fingerprint);

    private static int WriteAttribute(byte[] buffer, int offset, ushort type, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset + 2), (ushort)value.Length);
        value.CopyTo(buffer.AsSpan(offset + 4));
        return offset + 4 + ((value.Length + 3) & ~3);
    }

    private string? TryGetString(ushort type) =>
        TryGetAttribute(type, out var value) && value.Length <= MaxStringLength ? DecodeUtf8(value.Span) : null;

    private uint? TryGetUInt32(ushort type) =>
        TryGetAttribute(type, out var value) && value.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(value.Span) : null;

    private ulong? TryGetUInt64(ushort type) =>
        TryGetAttribute(type, out var value) && value.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(value.Span) : null;

    private static string? DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
