using System.Text.Json;
using System.Text.Json.Serialization;
using LlmCache.Generated;
using LlmCache.Tests.Correctness;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Review;

public class Animal
{
    public string Name { get; set; } = "";
}

public sealed class Dog : Animal
{
    public string Breed { get; set; } = "";
}

/// <summary>A result holding a derived value where its base type is declared, directly and in a list.</summary>
public sealed class Kennel
{
    public Animal? Resident { get; set; }
    public List<Animal> Visitors { get; set; } = [];
}

/// <summary>A result whose copy can be held up, so a removal can land between the store's check and its write.</summary>
public sealed class Gated
{
    public string Text { get; set; } = "";
}

public sealed class GatedConverter : JsonConverter<Gated>
{
    public static volatile bool Armed;
    public static readonly SemaphoreSlim Entered = new(0);
    public static readonly SemaphoreSlim Release = new(0);

    public override Gated Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new() { Text = reader.GetString() ?? "" };

    public override void Write(Utf8JsonWriter writer, Gated value, JsonSerializerOptions options)
    {
        // Held only in the copy the store makes for the in-process level.
        if (Armed && Environment.StackTrace.Contains("ValueCopier", StringComparison.Ordinal))
        {
            Armed = false;
            Entered.Release();
            Release.Wait(TimeSpan.FromSeconds(10));
        }
        writer.WriteStringValue(value.Text);
    }
}

public sealed class ReviewService(LlmCacheRuntime cache)
{
    public int Calls;
    [NotKeyed]
    public TaskCompletionSource<bool>? Gate;
    public readonly SemaphoreSlim Started = new(0);

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h")]
    public Task<Kennel> KennelAsync(string name, bool visitor)
    {
        Interlocked.Increment(ref Calls);
        var dog = new Dog { Name = name, Breed = "collie" };
        return Task.FromResult(visitor ? new Kennel { Visitors = [dog] } : new Kennel { Resident = dog });
    }

    [LlmCached(Ttl = "1h")]
    public Task<Animal> AnimalAsync(string name)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult<Animal>(new Dog { Name = name, Breed = "collie" });
    }

    [LlmCached(Ttl = "1h")]
    public async Task<Animal> SlowAnimalAsync(string name)
    {
        Interlocked.Increment(ref Calls);
        Started.Release();
        if (Gate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }
        return new Dog { Name = name, Breed = "collie" };
    }

    [LlmCached(Ttl = "1h")]
    public async Task<string> SlowAsync(string prompt)
    {
        int call = Interlocked.Increment(ref Calls);
        Started.Release();
        if (Gate is { } gate)
        {
            await gate.Task.ConfigureAwait(false);
        }
        return $"{prompt}#{call}";
    }

    [LlmCached(Ttl = "1h")]
    public Task<Gated> GatedAsync(string prompt) => Task.FromResult(new Gated { Text = $"{prompt}#{Interlocked.Increment(ref Calls)}" });

}

/// <summary>Defects found in review: each test failed on the code it was written against.</summary>
public sealed class ReviewFindingsTests
{
    private static (ReviewService Service, FakeTimeProvider Clock, LlmCacheRuntime Runtime) Create(Action<LlmCacheOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var options = new LlmCacheOptions();
        configure?.Invoke(options);
        var runtime = new LlmCacheRuntime(options, clock);
        return (new ReviewService(runtime), clock, runtime);
    }

    [Fact]
    public async Task ADerivedResult_IsNeverServedAsItsDeclaredBaseType()
    {
        var (service, _, runtime) = Create();
        using (runtime)
        {
            Animal first = await service.AnimalAsync("rex");
            Assert.IsType<Dog>(first);
            Animal second = await service.AnimalAsync("rex");
            Dog dog = Assert.IsType<Dog>(second);
            Assert.Equal("collie", dog.Breed);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADerivedValueInsideAResult_IsNeverServedAsItsDeclaredBaseType(bool inAList)
    {
        var (service, _, runtime) = Create();
        using (runtime)
        {
            for (int call = 1; call <= 2; call++)
            {
                Kennel kennel = await service.KennelAsync("rex", inAList);
                Animal animal = inAList ? kennel.Visitors.Single() : kennel.Resident!;
                Assert.Equal("collie", Assert.IsType<Dog>(animal).Breed);
                Assert.Equal(call, service.Calls); // not kept: a copy or a tier would lose the breed
            }
        }
    }

    [Fact]
    public async Task ADerivedResult_IsNotHandedToAJoinerAsItsBaseType()
    {
        var (service, _, runtime) = Create();
        using (runtime)
        {
            service.Gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<Animal> first = Task.Run(() => service.SlowAnimalAsync("rex"));
            Assert.True(await service.Started.WaitAsync(TimeSpan.FromSeconds(10)));
            Task<Animal> joiner = Task.Run(() => service.SlowAnimalAsync("rex"));
            await Task.Delay(200);
            service.Gate.SetResult(true);
            Assert.IsType<Dog>(await first);
            Assert.IsType<Dog>(await joiner);
        }
    }

    [Fact]
    public async Task AnEvictionLandingWhileTheResultIsCopied_WinsOverTheStore()
    {
        var (service, clock, runtime) = Create(o =>
        {
            o.SerializerOptions = new JsonSerializerOptions(o.SerializerOptions);
            o.SerializerOptions.Converters.Add(new GatedConverter());
        });
        using (runtime)
        {
            GatedConverter.Armed = true;
            Task<Gated> call = Task.Run(() => service.GatedAsync("g"));
            Assert.True(await GatedConverter.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
            clock.Advance(TimeSpan.FromSeconds(1));
            await LlmCacheKeys.ReviewService_GatedAsync("g").EvictAsync(runtime);
            GatedConverter.Release.Release();
            Assert.Equal("g#1", (await call).Text);

            Assert.Equal("g#2", (await service.GatedAsync("g")).Text);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnEvictionDuringACall_StillWinsWhenTheRuntimeIsReconfigured(bool reconfigureFirst)
    {
        var tier = new DictionaryTier();
        var (service, clock, runtime) = Create(o => o.Tiers.Add(tier));
        using (runtime)
        {
            service.Gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<string> running = Task.Run(() => service.SlowAsync("r"));
            Assert.True(await service.Started.WaitAsync(TimeSpan.FromSeconds(10)));
            string key = LlmCacheKeys.ReviewService_SlowAsync("r").Key(runtime);
            clock.Advance(TimeSpan.FromSeconds(1));
            // A reload that changes nothing about keys (the same namespace): the key string stays the same.
            if (reconfigureFirst)
            {
                runtime.Reconfigure(o => o.DefaultTtl = TimeSpan.FromHours(2));
                await runtime.RemoveAsync(key);
            }
            else
            {
                await runtime.RemoveAsync(key);
                runtime.Reconfigure(o => o.DefaultTtl = TimeSpan.FromHours(2));
            }
            clock.Advance(TimeSpan.FromSeconds(1));
            service.Gate.SetResult(true);
            Assert.Equal("r#1", await running);
            service.Gate = null;
            await runtime.FlushAsync();

            Assert.Equal("r#2", await service.SlowAsync("r"));
        }
    }

    [Fact]
    public async Task ACallStartedAfterAnEviction_DoesNotJoinAComputationStartedBeforeIt()
    {
        var (service, clock, runtime) = Create();
        using (runtime)
        {
            service.Gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<string> before = Task.Run(() => service.SlowAsync("j"));
            Assert.True(await service.Started.WaitAsync(TimeSpan.FromSeconds(10)));
            clock.Advance(TimeSpan.FromSeconds(1));
            await LlmCacheKeys.ReviewService_SlowAsync("j").EvictAsync(runtime);
            clock.Advance(TimeSpan.FromSeconds(1));
            Task<string> after = Task.Run(() => service.SlowAsync("j"));
            await Task.Delay(200);
            clock.Advance(TimeSpan.FromSeconds(1));
            service.Gate.SetResult(true);
            Assert.Equal("j#1", await before);
            service.Gate = null;
            Assert.NotEqual("j#1", await after);
            Assert.NotEqual("j#1", await service.SlowAsync("j"));
        }
    }
}
