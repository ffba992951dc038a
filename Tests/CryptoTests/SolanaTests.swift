import Testing
@testable import RailyardCrypto

/// Solana. Every expected transaction, address and curve verdict was produced by solders 0.29
/// (solana-sdk's Rust code: `Transaction.new_signed_with_payer`, `Pubkey.find_program_address`,
/// `get_associated_token_address`, `Pubkey.is_on_curve`); the SPL instructions were built by
/// solana-py 0.41's `spl.token.instructions` (`transfer_checked`, `create_idempotent_associated_token_account`).
/// Keypairs are `Keypair.from_seed(sha256(label))`; the blockhash is sha256("blockhash"). Ed25519 signing
/// is deterministic (RFC 8032), so signed bytes must match exactly.
@Suite struct SolanaTests {
    static let payerKey = Hashes.sha256(Array("railyard-sol-payer".utf8))
    static let ownerKey = Hashes.sha256(Array("railyard-sol-owner".utf8))
    static let destKey = Hashes.sha256(Array("railyard-sol-dest".utf8))
    static let blockhash = Hashes.sha256(Array("blockhash".utf8))
    static let usdc = SolanaPublicKey(constant: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")

    @Test func keysAndBlockhash() throws {
        #expect(try SolanaPublicKey(privateKey: Self.payerKey).base58 == "CPNTrZD9wo8iSZpodDvMaV5BnvWzt9iJSyee1azdbU8X")
        #expect(try SolanaPublicKey(privateKey: Self.ownerKey).base58 == "B7PVPo1TNuJb4yizXg1PydYajSsvN7aszz4nAuabYai")
        #expect(try SolanaPublicKey(privateKey: Self.destKey).base58 == "6rK55RBhxGq4Yc4d7jy5bYmjyRpvmQX2tXbo7dAHmPxy")
        #expect(Base58.encode(Self.blockhash) == "4ruaGCyaofHWGxPFXFVjuEJCdfBGZ2wCtEx6LzdzVqtV")
        #expect(throws: Solana.Error.self) { try SolanaPublicKey(base58: "0OIl") }
        #expect(throws: Solana.Error.self) { try SolanaPublicKey(base58: "111") }
        #expect(throws: Solana.Error.self) { try SolanaPublicKey(bytes: [1, 2, 3]) }
    }

    @Test func systemTransferLikeSolders() throws {
        let payer = try SolanaPublicKey(privateKey: Self.payerKey)
        let dest = try SolanaPublicKey(privateKey: Self.destKey)
        let instruction = Solana.SystemProgram.transfer(from: payer, to: dest, lamports: 1_234_567_890)
        #expect(hex(instruction.data) == "02000000d202964900000000")
        let message = try Solana.Message(instructions: [instruction], payer: payer, recentBlockhash: Base58.encode(Self.blockhash))
        #expect(hex(message.serialized) == "01000103a92b9a2f99f526998b30d40fbde2e232ea099044180cac76225399014c85b1f056ec538f4fc5f8c00fef0e0906e5e3bf8b027525c66a8ed0afd871d1d25922460000000000000000000000000000000000000000000000000000000000000000395bf727f9aac5e80911591073fcf9c826f428804131ca089beba3869421749a01020200010c02000000d202964900000000")
        let tx = try Solana.Transaction(message: message, signers: [Self.payerKey])
        #expect(hex(tx.serialized) == "01c8cd9949a9187fcf8ab04c56af0a216eb700c8c5ae390d11b1218912e4eae6ce28f4e88f632db34a30a007a9776b25881934eb1331c3025bf79ddcb1994ae30501000103a92b9a2f99f526998b30d40fbde2e232ea099044180cac76225399014c85b1f056ec538f4fc5f8c00fef0e0906e5e3bf8b027525c66a8ed0afd871d1d25922460000000000000000000000000000000000000000000000000000000000000000395bf727f9aac5e80911591073fcf9c826f428804131ca089beba3869421749a01020200010c02000000d202964900000000")
        #expect(tx.id == "51rSfd6TjgKGjSjTZzpSJKA24mGjVxwnnvC2VYyjCJzFAGhVEwHAfj1bJBUMw5AmHY4EYsc23VDjSsXq9SCc58qz")
        #expect(tx.verifiesSignatures)
        #expect(try Base64.decode(tx.base64) == tx.serialized)
    }

    @Test func splTransferCheckedWithSeparateFeePayer() throws {
        let payer = try SolanaPublicKey(privateKey: Self.payerKey)
        let owner = try SolanaPublicKey(privateKey: Self.ownerKey)
        let dest = try SolanaPublicKey(privateKey: Self.destKey)
        let source = try Solana.associatedTokenAddress(wallet: owner, mint: Self.usdc)
        let destination = try Solana.associatedTokenAddress(wallet: dest, mint: Self.usdc)
        #expect(source.base58 == "CJrTGnPF98Vs3ybPLU2ocfcPnF13JFs5KspXHf8pos6k")
        #expect(destination.base58 == "E4CU4wLjGBm4n1rXRw634Fxo7NUkgfv66jyZQXTxpQ34")
        let instruction = Solana.TokenProgram.transferChecked(source: source, mint: Self.usdc, destination: destination,
                                                              owner: owner, amount: 2_500_000, decimals: 6)
        #expect(hex(instruction.data) == "0ca02526000000000006")
        let message = try Solana.Message(instructions: [instruction], payer: payer, recentBlockhash: Self.blockhash)
        #expect(message.header == .init(numRequiredSignatures: 2, numReadonlySignedAccounts: 1, numReadonlyUnsignedAccounts: 2))
        #expect(message.signerKeys == [payer, owner])
        // Signer order in the call does not matter; signatures land in account-key order.
        let tx = try Solana.Transaction(message: message, signers: [Self.ownerKey, Self.payerKey])
        #expect(hex(tx.serialized) == "025de002dcd2798371c3aa828c487a6d96f018586d64024f2a26c651ec15ad6917fdd8c952d07663b8207ab2e7f7b82d0200b8e72172a09c58ecd9b4870b440e0e7a8332eb713c7ffbcb1afe244ce7d341143be1d5033e5849bb7520a06a77964eabf854e84bacd1797b1c35f231301f1c0760f76fed923be828e29e942f0fcd0002010206a92b9a2f99f526998b30d40fbde2e232ea099044180cac76225399014c85b1f0029707decc26413691848c682ed9c52a9e8a6c1ba1d8072903ff0586a1b04d9fa80358ba4ca6a834c27675b3ad12801b031ffd51c181eed8e0aecc503e3bb455c1f9a34d11f3f1983a74d504923f047d9be5a3a3916ddb3d68bd22a9d2c279bb06ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a8cf5857eff00a9c6fa7af3bedbad3a3d65f36aabc97431b1bbe4c2d2f6e0e47ca60203452f5d61395bf727f9aac5e80911591073fcf9c826f428804131ca089beba3869421749a010404020503010a0ca02526000000000006")
        #expect(tx.id == "2srmTNzB7pU3jSmrPtsYrLYDU2zHVtxKZeVXcqq7sVJMdk4vqn4GFqVKLh1iMBum5SdkYB3pktwtrk9j2xdg3uUZ")
        #expect(tx.verifiesSignatures)
    }

    @Test func createIdempotentAtaThenTransferChecked() throws {
        let owner = try SolanaPublicKey(privateKey: Self.ownerKey)
        let dest = try SolanaPublicKey(privateKey: Self.destKey)
        let source = try Solana.associatedTokenAddress(wallet: owner, mint: Self.usdc)
        let destination = try Solana.associatedTokenAddress(wallet: dest, mint: Self.usdc)
        let instructions = [
            try Solana.AssociatedTokenProgram.createIdempotent(payer: owner, wallet: dest, mint: Self.usdc),
            Solana.TokenProgram.transferChecked(source: source, mint: Self.usdc, destination: destination, owner: owner, amount: 2_500_000, decimals: 6),
        ]
        let tx = try Solana.Transaction(message: Solana.Message(instructions: instructions, payer: owner, recentBlockhash: Self.blockhash),
                                        signers: [Self.ownerKey])
        #expect(hex(tx.serialized) == "016aff7115d2e245e94468a12eafa4d73231b1f061c480e7ecbe5480a79f4e1df5f65342856d1413fff7a172b9a4a2d4eae6ddd0b18fd9437da464cf6c4b46660f01000508029707decc26413691848c682ed9c52a9e8a6c1ba1d8072903ff0586a1b04d9fa80358ba4ca6a834c27675b3ad12801b031ffd51c181eed8e0aecc503e3bb455c1f9a34d11f3f1983a74d504923f047d9be5a3a3916ddb3d68bd22a9d2c279bb000000000000000000000000000000000000000000000000000000000000000006ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a8cf5857eff00a956ec538f4fc5f8c00fef0e0906e5e3bf8b027525c66a8ed0afd871d1d25922468c97258f4e2489f1bb3d1029148e0d830b5a1399daff1084048e7bd8dbe9f859c6fa7af3bedbad3a3d65f36aabc97431b1bbe4c2d2f6e0e47ca60203452f5d61395bf727f9aac5e80911591073fcf9c826f428804131ca089beba3869421749a02060600020507030401010404010702000a0ca02526000000000006")
        #expect(tx.id == "395NGkLHrxAgpwAPAyr6knCghsXQZEhU23SCjGpgS1yRf7hmWYVZUsv1Pw1hkVXK3dGvrEwe8cWNrGXEEqX4wMiN")
    }

    @Test func signingRules() throws {
        let payer = try SolanaPublicKey(privateKey: Self.payerKey)
        let owner = try SolanaPublicKey(privateKey: Self.ownerKey)
        let dest = try SolanaPublicKey(privateKey: Self.destKey)
        let instruction = Solana.TokenProgram.transferChecked(source: dest, mint: Self.usdc, destination: dest, owner: owner, amount: 1, decimals: 6)
        let message = try Solana.Message(instructions: [instruction], payer: payer, recentBlockhash: Self.blockhash)
        var tx = Solana.Transaction(message: message)
        #expect(!tx.isFullySigned)
        #expect(tx.signatures == [[UInt8]](repeating: [UInt8](repeating: 0, count: 64), count: 2))
        try tx.sign(privateKey: Self.payerKey)
        #expect(!tx.isFullySigned)
        #expect(throws: Solana.Error.self) { try tx.sign(privateKey: Self.destKey) }          // not a signer
        #expect(throws: Solana.Error.self) { try Solana.Transaction(message: message, signers: [Self.payerKey]) }  // owner missing
        try tx.sign(privateKey: Self.ownerKey)
        #expect(tx.isFullySigned && tx.verifiesSignatures)
        // A signature over a different message does not verify.
        let other = try Solana.Message(instructions: [instruction], payer: payer, recentBlockhash: Hashes.sha256([1]))
        let otherTx = try Solana.Transaction(message: other, signers: [Self.payerKey, Self.ownerKey])
        let mixed = try Solana.Transaction(message: message, signatures: [tx.signatures[0], otherTx.signatures[1]])
        #expect(!mixed.verifiesSignatures)
        #expect(try Solana.Transaction(message: message, signatures: tx.signatures) == tx)
        #expect(throws: Solana.Error.self) { try Solana.Transaction(message: message, signatures: [tx.signatures[0]]) }
        #expect(throws: Solana.Error.self) { try Solana.Transaction(message: message, signatures: [tx.signatures[0], [1, 2]]) }
        #expect(throws: Solana.Error.self) { try Solana.Message(instructions: [instruction], payer: payer, recentBlockhash: [1, 2, 3]) }
    }

    /// (wallet, mint, token program, associated token account, bump)
    @Test(arguments: [
        ("CPNTrZD9wo8iSZpodDvMaV5BnvWzt9iJSyee1azdbU8X", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "EoFebQJD24Vg7uakX429yhWPVdhy3nRWkSviLgpDuyr6", 253),
        ("CPNTrZD9wo8iSZpodDvMaV5BnvWzt9iJSyee1azdbU8X", "Es9vMFrzaCERmJfrF8H2Z7UwJbKjqP3ybFUyEwNj5Kxq", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "CNYz4QQVTfnELKNmcHntsfVMVTsYAjRfbso2J68nSTZd", 253),
        ("CPNTrZD9wo8iSZpodDvMaV5BnvWzt9iJSyee1azdbU8X", "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "A4mvSBv3t694fqNd18UhnRH4qAntUtgN6aJYGuUzFgik", 255),
        ("6rK55RBhxGq4Yc4d7jy5bYmjyRpvmQX2tXbo7dAHmPxy", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "E4CU4wLjGBm4n1rXRw634Fxo7NUkgfv66jyZQXTxpQ34", 255),
        ("6rK55RBhxGq4Yc4d7jy5bYmjyRpvmQX2tXbo7dAHmPxy", "Es9vMFrzaCERmJfrF8H2Z7UwJbKjqP3ybFUyEwNj5Kxq", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "7rcgDLKJUS1wqiADYcvZjjjSX2pxpomjMFDdxBPVGaSu", 251),
        ("6rK55RBhxGq4Yc4d7jy5bYmjyRpvmQX2tXbo7dAHmPxy", "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "HWj76epQAAWaXTDEZkSFDJAnTS3HEY6KpLcURGzUAajt", 251),
        ("9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "FGETo8T8wMcN2wCjav8VK6eh3dLk63evNDPxzLSJra8B", 254),
        ("9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM", "Es9vMFrzaCERmJfrF8H2Z7UwJbKjqP3ybFUyEwNj5Kxq", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "2Sr1egeaWn53cvgP64YpZipbvnqHRmBSwyohM6xDiFEp", 255),
        ("9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM", "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "897krAvWH3RbymaCYE3o9emopUwocieHuKTUk9nySpq6", 255),
        ("11111111111111111111111111111111", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "HJt8Tjdsc9ms9i4WCZEzhzr4oyf3ANcdzXrNdLPFqm3M", 255),
        ("11111111111111111111111111111111", "Es9vMFrzaCERmJfrF8H2Z7UwJbKjqP3ybFUyEwNj5Kxq", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "7hkL764z8EXxujcRu3p7oPZG5hPgpMbMJrPPCkxGX2rd", 251),
        ("11111111111111111111111111111111", "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", "Fn73rNzuBe9wKQ6AzVdWPaHucFSjEUqDbA6CxRAMFMeS", 254),
    ])
    func associatedTokenAccounts(wallet: String, mint: String, program: String, account: String, bump: Int) throws {
        let walletKey = try SolanaPublicKey(base58: wallet)
        let mintKey = try SolanaPublicKey(base58: mint)
        let programKey = try SolanaPublicKey(base58: program)
        #expect(try Solana.associatedTokenAddress(wallet: walletKey, mint: mintKey, tokenProgramID: programKey).base58 == account)
        let found = try Solana.findProgramAddress(seeds: [walletKey.bytes, programKey.bytes, mintKey.bytes], programID: Solana.associatedTokenProgramID)
        #expect(found.address.base58 == account)
        #expect(Int(found.bump) == bump)
        #expect(!found.address.isOnCurve)
        // create_program_address with the found bump gives the same address.
        #expect(try Solana.createProgramAddress(seeds: [walletKey.bytes, programKey.bytes, mintKey.bytes, [found.bump]],
                                                programID: Solana.associatedTokenProgramID) == found.address)
    }

    @Test func programDerivedAddresses() throws {
        let program = SolanaPublicKey(constant: "BPFLoaderUpgradeab1e11111111111111111111111")
        let payer = try SolanaPublicKey(privateKey: Self.payerKey)
        let cases: [(seeds: [[UInt8]], address: String, bump: UInt8)] = [
            ([[]], "DNKLRoKoM7XxX2iW1PTnqo6iP6CPpVDBgeN9hrpu2R2R", 253),
            ([Array("railyard".utf8)], "E6yGFgGxPaK8HY5GjYyoji9guhQVGostS6BKKqFCTPoH", 253),
            ([Array("vault".utf8), payer.bytes], "Am7evQT4itQZAUffEbtawH2N1aGXzJmGFbTsot9ow354", 255),
            ([[UInt8](repeating: 0x78, count: 32), [UInt8](repeating: 0x79, count: 32)], "E1jo8dsVoPKVdcYwN2BVPDBgWvxuzk6j5jDHmaiNqF6", 253),
            ([Array("seed-8".utf8)], "8h6kZEmCN62uStVwVmMbq4Q9hG7J5CAgk9tWUWD8qzPL", 251),
        ]
        for item in cases {
            let found = try Solana.findProgramAddress(seeds: item.seeds, programID: program)
            #expect(found.address.base58 == item.address)
            #expect(found.bump == item.bump)
        }
        // solders: create_program_address(["seed-0", [255]]) fails because the hash is on the curve.
        #expect(throws: Solana.Error.self) { try Solana.createProgramAddress(seeds: [Array("seed-0".utf8), [255]], programID: program) }
        // Seed limits.
        #expect(throws: Solana.Error.self) { try Solana.createProgramAddress(seeds: [[UInt8](repeating: 0, count: 33)], programID: program) }
        #expect(throws: Solana.Error.self) { try Solana.createProgramAddress(seeds: Array(repeating: [1], count: 17), programID: program) }
        #expect(throws: Solana.Error.self) { try Solana.findProgramAddress(seeds: Array(repeating: [1], count: 16), programID: program) }
        #expect((try? Solana.createProgramAddress(seeds: Array(repeating: [1], count: 16), programID: program)) != nil
            || (try? Solana.createProgramAddress(seeds: Array(repeating: [2], count: 16), programID: program)) != nil)
    }

    /// solders `Pubkey(bytes).is_on_curve()` for 24 random byte strings (Python `random.seed(7)`) and
    /// edge encodings (non-canonical y ≥ p, sign bit with x = 0, the base point).
    @Test(arguments: [
        ("52f22665a60c12d289185d950ee8813609166f6b113d178d6c0fd3901ff239a1", false),
        ("a095f20f9395650cf9380b8edb224a6b248a1e924e8fd0ae2e1a9492a3305f18", false),
        ("8cb610900f9e347fae886dc6507795ec745c4c3fcb2eb2c73e14934c867ee057", true),
        ("ba72499bfa121e836b2ac15726ee7d6b0af6ab13c38e92cae0d15057b159987f", false),
        ("94cc7411d717f14579b2aa100fbbb34fa593feaed27248b762e3ab5805f0765a", true),
        ("2b9c1d7e0f37c44921bd3f6564eadf7f142a72668c47e223d16edd8c47b46afc", true),
        ("5baee261f53b26152d263ba83b037cd4962e434801256b885e9c9051f320b0db", false),
        ("83f39ea7adbd0d74e6dec7f3dfaecc8f646566641a7ba2660f3011fc3570291c", false),
        ("57990d1a0091268919f25d9d0612df359d6026a240f4589a5d791f1dd97cfefa", true),
        ("777a7b4f15241abf57bd437ad4b129840534f3f3875c25b08bea06c2874cfaa4", false),
        ("dd17b2d842845de82a5bc539888ac78054a2399ccfc9fcc2da31ce3dd166bdcd", false),
        ("3a33847e5bbb07fd07ca47784231b19af45872ceefb9fc59f4f95d14381a3a78", false),
        ("3256347b9ffce69cd7007ae8a758cca415d5a91ee863c8b6c0337ae32d6fcaa2", false),
        ("5516cdf2f8b8657666bef215b9282bfe20072697e777cea7259cd398fa79a8ef", true),
        ("59278c8c210503ccf8b9a61a86bfef236ffcdf31d3df360740364a803dc39653", true),
        ("428b6bd5210fe8bd5ae575a995d0e7846bd3eae080218826868204df70c62e9b", false),
        ("01c6cc262c24799eb91e8e0f53ae84878e7bc8c61be28f0e3f30460ac5198173", true),
        ("8f07c2e4e91071539cf9819b8333b146738288ce7a81f13fb285e0e0f1ed42ec", true),
        ("8fe4f133d772236a1f64715012ab3d6d1236ab4dc81fe5c627f0b7a4a95d2440", true),
        ("e223f77738bff31865e27c29fdaad53929b46efe8367566b325b5117b85d0456", true),
        ("8d7570b4046254849f4b83f5101cfcebc93af8e01a1543450ae7c72e45c121d1", true),
        ("6cd9e9add1f242672689eb83927eb35316470eccb02e6ce51244f004a216cd42", true),
        ("159bdb381143dc1f740256fe8d6aedea449f210b86b53df01cf829430c2e33ee", false),
        ("4fa04e87c2344a7280ac2d4558cd04fe40090304bb818dfa3083793eef721ba8", true),
        ("0000000000000000000000000000000000000000000000000000000000000000", true),   // y = 0
        ("0100000000000000000000000000000000000000000000000000000000000000", true),   // y = 1 (x = 0)
        ("0100000000000000000000000000000000000000000000000000000000000080", true),   // y = 1 with the sign bit
        ("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true),   // y = p − 1
        ("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true),   // y = p (≡ 0)
        ("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true),   // y = p + 1 (≡ 1)
        ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true),   // y = 2^255 − 1
        ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", true),
        ("0200000000000000000000000000000000000000000000000000000000000000", false),  // y = 2
        ("5866666666666666666666666666666666666666666666666666666666666666", true),   // the base point
    ])
    func curveCheckMatchesSolders(bytesHex: String, onCurve: Bool) {
        #expect(Ed25519Curve.isOnCurve(bytes(bytesHex)) == onCurve)
    }

    @Test func realPublicKeysAreOnCurve() throws {
        for seed in 0..<16 {
            let key = try SolanaPublicKey(privateKey: Hashes.sha256([UInt8(seed)]))
            #expect(key.isOnCurve)
        }
        #expect(!Ed25519Curve.isOnCurve([0, 1, 2]))
    }

    @Test func fieldArithmetic() {
        // (p − 1)² ≡ 1, (p − 1) + 2 ≡ 1, −0 ≡ 0, d·(−121666) ≡ 121665 (the definition of d).
        let minusOne = FieldElement(littleEndian: bytes("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
        #expect(minusOne * minusOne == FieldElement.one)
        #expect(minusOne + FieldElement(2, 0, 0, 0) == FieldElement.one)
        #expect(-FieldElement.zero == FieldElement.zero)
        #expect(FieldElement.d * -FieldElement(121_666, 0, 0, 0) == FieldElement(121_665, 0, 0, 0))
        // sqrt(−1)² ≡ −1, with sqrt(−1) = 2^((p−1)/4).
        let sqrtMinusOne = FieldElement(littleEndian: bytes("b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b"))
        #expect(sqrtMinusOne * sqrtMinusOne == minusOne)
        #expect(sqrtMinusOne - sqrtMinusOne == FieldElement.zero)
    }

    @Test func compactU16() {
        // Solana's short_vec encoding examples.
        #expect(hex(Solana.compactU16(0)) == "00")
        #expect(hex(Solana.compactU16(0x7F)) == "7f")
        #expect(hex(Solana.compactU16(0x80)) == "8001")
        #expect(hex(Solana.compactU16(0xFF)) == "ff01")
        #expect(hex(Solana.compactU16(0x100)) == "8002")
        #expect(hex(Solana.compactU16(0x3FFF)) == "ff7f")
        #expect(hex(Solana.compactU16(0x4000)) == "808001")
        #expect(hex(Solana.compactU16(0xFFFF)) == "ffff03")
    }
}
