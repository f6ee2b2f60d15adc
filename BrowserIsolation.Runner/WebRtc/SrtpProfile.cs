namespace BrowserIsolation.Runner.WebRtc;

/// <summary>DTLS-SRTP protection profiles (RFC 5764 section 4.1.2, RFC 7714 section 14.2) with their key sizes.</summary>
public enum SrtpProfile
{
    None = 0,
    Aes128CmSha1_80 = 0x0001,
    AeadAes128Gcm = 0x0007,
}

public static class SrtpProfileExtensions
{
    public static int MasterKeyLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmSha1_80 or SrtpProfile.AeadAes128Gcm => 16,
        _ => throw new NotSupportedException($"SRTP profile {profile} is not supported."),
    };

    public static int MasterSaltLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmSha1_80 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => throw new NotSupportedException($"SRTP profile {profile} is not supported."),
    };
}
